"""Long audio is mastered and encoded piece by piece: each piecewise computation gives
what the whole-signal one gives (pyloudnorm, scipy's resample_poly, the oversampler)."""

from __future__ import annotations

import math
import sys
from collections.abc import Iterator

import numpy as np
import pytest

from baclovoice import audio
from baclovoice.audio.pcm import CHUNK, Pcm, float_chunks, resampled_chunks, to_float, windows
from baclovoice.errors import AudioError
from tests.audio.test_audio import speechlike, tone

loudness_module = sys.modules["baclovoice.audio.loudness"]  # `audio.loudness` is the function


def _noise(samples: int, rate: int, seed: int = 0) -> Pcm:
    rng = np.random.default_rng(seed)
    return Pcm((rng.standard_normal(samples) * 3000).astype(np.int16), rate)


SIGNALS = {
    "speech-22k": speechlike(6.0, 22050),
    "speech-44k-over-a-chunk": speechlike(7.0, 44100, seed=4),  # 308,700 > CHUNK samples
    "shorter-than-a-gate": speechlike(0.25),  # measured looped
    "noise-odd-length": _noise(300_001, 22050),
    "quiet-tone-24k": tone(2.0, 24000, -45.0),
}


@pytest.mark.parametrize("size", [4097, 100_000, CHUNK])
@pytest.mark.parametrize("pcm", SIGNALS.values(), ids=SIGNALS.keys())
def test_chunked_loudness_matches_pyloudnorm(pcm: Pcm, size: int) -> None:
    """K-weighting with the filter state carried over, and block sums kept at the gating
    blocks' edges, give pyloudnorm's integrated loudness (audio.loudness, on the whole)."""
    chunked = loudness_module.chunked_loudness(
        float_chunks(pcm, size), len(pcm.samples), pcm.sample_rate
    )
    assert chunked == pytest.approx(audio.loudness(pcm), abs=1e-6)


@pytest.mark.parametrize("length", [0, 1, 500])
def test_chunked_loudness_of_silence_is_minus_infinity(length: int) -> None:
    pcm = Pcm(np.zeros(length, np.int16), 22050)
    assert loudness_module.chunked_loudness(float_chunks(pcm), length, 22050) == -math.inf


@pytest.mark.parametrize("size", [1000, 4097, CHUNK, 10**7])
@pytest.mark.parametrize("pcm", SIGNALS.values(), ids=SIGNALS.keys())
def test_block_true_peaks_in_pieces_match_the_whole(pcm: Pcm, size: int) -> None:
    """Peaks of a signal streamed in pieces of any size (the decoded MP3 arrives so) are
    those of the whole signal, and their maximum is the plain oversampler's."""
    whole = to_float(pcm)
    peaks = loudness_module.block_true_peaks(float_chunks(pcm, size), floor=0.0)
    assert np.array_equal(peaks, loudness_module.block_true_peaks(whole, floor=0.0))
    plain = float(loudness_module._oversampled_abs(whole).max())
    assert float(peaks.max()) == pytest.approx(plain, abs=1e-6)


@pytest.mark.parametrize("rate", [16000, 22050, 24000, 44100])
@pytest.mark.parametrize("samples", [0, 1, 999, 2 * CHUNK + 7, 2 * CHUNK - 3])
def test_resampled_chunks_are_resample_poly_of_the_whole(rate: int, samples: int) -> None:
    pcm = _noise(samples, rate)
    common = math.gcd(rate, 44100)
    whole = to_float(pcm)
    if rate != 44100:
        from scipy import signal  # here: importing it costs every xdist worker seconds

        whole = signal.resample_poly(whole, 44100 // common, rate // common).astype(np.float32)
    pieces = list(resampled_chunks(pcm, 44100))
    joined = np.concatenate(pieces) if pieces else np.zeros(0, np.float32)
    assert len(joined) == math.ceil(samples * 44100 / rate)
    assert np.array_equal(joined, whole)


@pytest.mark.parametrize(
    ("length", "hop", "context", "align"),
    [(0, 64, 5, 1), (7, 64, 0, 1), (64, 64, 5, 1), (69, 64, 5, 16), (300, 64, 64, 8)],
)
@pytest.mark.parametrize("size", [1, 3, 64, 1000])
def test_windows_step_by_hop_with_context(
    length: int, hop: int, context: int, align: int, size: int
) -> None:
    signal_ = np.arange(1, length + 1, dtype=np.float32)
    pieces = (signal_[i : i + size] for i in range(0, length, size))
    got = list(windows(pieces, hop, context, align))
    padded = np.concatenate([np.zeros(context), signal_, np.zeros(hop + context)])
    assert len(got) == -(-length // hop)
    for k, window in enumerate(got):
        middle = len(window) - 2 * context
        assert np.array_equal(window, padded[k * hop : k * hop + len(window)])
        assert middle % align == 0 and middle == min(hop, -(-(length - k * hop) // align) * align)


def test_ffmpeg_stream_reports_a_failing_ffmpeg() -> None:
    with pytest.raises(AudioError, match="failed"):
        audio.Ffmpeg("/bin/false").run(["-version"], (b"x" * 65536 for _ in range(64)))


def test_ffmpeg_stream_passes_on_an_input_that_fails() -> None:
    def pieces() -> Iterator[bytes]:
        yield b"\0" * 4096
        raise ValueError("no more samples")

    args = ["-f", "s16le", "-ar", "8000", "-ac", "1", "-i", "pipe:0", "-f", "null", "-"]
    with pytest.raises(ValueError, match="no more samples"):
        audio.BUNDLED.run(args, pieces())

"""Sentence PCM in, loudness-normalized, tagged MP3 out: the only ffmpeg/encoder user.

The stages are small pure functions over :class:`Pcm` (``assemble`` → ``master`` →
``encode_mp3``) so each one is testable on its own output; ffmpeg runs only in
``encode_mp3`` and ``decode``, always through pipes or a private temporary folder.
Loudness is measured with pyloudnorm, resampling and 4x true-peak oversampling use
scipy, tags are written by mutagen and decoding goes through pydub. scipy (and
pyloudnorm, which imports it) are imported where used: scipy.signal alone takes
~1.3 s to import, which a no-change rebuild or a CLI start should not pay.
"""

from __future__ import annotations

import dataclasses
import functools
import io
import logging
import math
import shutil
import subprocess
import tempfile
import wave
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from mutagen.id3 import (
    APIC,
    CHAP,
    COMM,
    CTOC,
    ID3,
    TALB,
    TIT2,
    TPE1,
    TRCK,
    WXXX,
    CTOCFlags,
    PictureType,
)
from mutagen.mp3 import HeaderNotFoundError, MPEGFrame, skip_id3

from baclovoice.engines.base import Pcm
from baclovoice.errors import AudioError

log = logging.getLogger(__name__)

SAMPLE_RATE = 44100
DEFAULT_COMMENT = "Narrated by a synthetic (text-to-speech) voice."

# master limits this far under the requested true peak: MP3 coding noise raises the
# peaks of limited speech (Piper speech: by 1.2-2.3 dB at 64 kbit/s, 2-3 dB at 32-48,
# ~0.6 dB at 96+; more the deeper the limiting). encode_mp3 checks the decoded file and,
# where a peak went over, turns down the moments near the ceiling and encodes again; at
# 2 dB that takes a second encode for about one file in four at 64 kbit/s (at 1 dB nearly
# every file, at 1.5 dB one in two). More headroom costs deeper limiting on every file:
# at -16 LUFS Piper speech is limited by a median 4.2 dB at 1 dB of headroom, 6.4 dB at
# 2 dB, 9 dB at 2.5 dB (where the gain reaches _MAX_EXTRA_GAIN_DB).
_MP3_HEADROOM_DB = 2.0
# Less headroom, tried in turn when a take cannot reach the target under the ceiling.
_HEADROOMS_DB = (_MP3_HEADROOM_DB, 1.0, 0.3)
_HEADROOM_RETRY_LU = 0.3  # closer than this to the target is close enough
_HEADROOM_RETRY_MAX_LU = 1.2  # further than this below it is a far miss: no retry
# A re-encode turns down every moment whose decoded peak came within this of the
# ceiling, to this far under it: the encoder's bit reservoir spreads any change, so
# the coding noise on every later peak is drawn anew and can differ by a dB. Being
# local, it costs ~0.02 LU; cutting the whole file cost its excess + margin.
_REENCODE_MARGIN_DB = 1.0
_MAX_ENCODES = 3
# libmp3lame, as driven by ffmpeg, outputs 0.95x its input level (-0.45 dB, measured
# on sines and speech at every bitrate); encode_mp3 pre-compensates so the decoded
# file, not the PCM, meets the loudness target. The true-peak check covers a build
# that does not scale.
_LAME_OUTPUT_GAIN = 0.95
# 4x oversampling for true peak (ITU-R BS.1770-4 Annex 2 uses a 48-tap, 4-phase FIR).
_OVERSAMPLE = 4
_TP_TAPS = 48
# Limiter geometry, in blocks of _BLOCK samples (0.73 ms at 44.1 kHz): gain falls
# _ATTACK_S before a peak, holds _HOLD_S after it, and ramps over ~2 * _SMOOTH_S.
_BLOCK = 32
_SPAN_BLOCKS = 8  # blocks oversampled together (fewer, longer filter runs)
_ATTACK_S = 0.005
_HOLD_S = 0.050
_SMOOTH_S = 0.004
_LOUDNESS_TOLERANCE = 0.1  # LU; master iterates its gain until within this
_MAX_MEASUREMENTS = 4  # pyloudnorm checks of a gain found on the cheap estimate
# Gain at most this far over plain normalization: more limiting than that flattens
# speech into a wall of sound, so audio with extreme peaks stays under the target.
_MAX_EXTRA_GAIN_DB = 12.0
_MEASURE_BLOCK_S = 0.4  # pyloudnorm's gating block: shorter audio is measured looped


@dataclass(frozen=True)
class Chapter:
    """A chapter mark in seconds; ``url`` links it to its place on the web page."""

    start: float
    end: float
    title: str
    url: str = ""


@dataclass(frozen=True)
class Tags:
    title: str
    album: str
    artist: str
    track: int = 0
    track_total: int = 0
    comment: str = ""  # empty = DEFAULT_COMMENT: a listener must learn the voice is synthetic
    chapters: tuple[Chapter, ...] = ()
    cover_png: bytes = b""


# --- ffmpeg -------------------------------------------------------------------------


@functools.cache
def ffmpeg_path() -> str:
    """An ``ffmpeg`` on PATH if there is one (the user's choice), else imageio-ffmpeg's."""
    found = shutil.which("ffmpeg")
    if found:
        return found
    try:
        import imageio_ffmpeg

        return str(imageio_ffmpeg.get_ffmpeg_exe())
    except (ImportError, RuntimeError) as exc:
        raise AudioError(
            f"No ffmpeg found: {exc}",
            "Install ffmpeg (apt install ffmpeg) or the imageio-ffmpeg package.",
        ) from None


def _run_ffmpeg(args: Sequence[str], stdin: bytes) -> bytes:
    """Run ffmpeg with ``stdin`` piped in; its stdout, or AudioError with its complaint."""
    cmd = [ffmpeg_path(), "-hide_banner", "-nostats", "-v", "error", *args]
    try:
        done = subprocess.run(cmd, input=stdin, capture_output=True, check=False)
    except OSError as exc:
        raise AudioError(f"Cannot run ffmpeg ({cmd[0]}): {exc}") from None
    if done.returncode != 0:
        complaint = done.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
        raise AudioError(f"ffmpeg failed: {' / '.join(complaint) or done.returncode}")
    return done.stdout


def preload() -> None:
    """Import the DSP libraries (scipy, pyloudnorm: about 1 s) ahead of mastering.

    They are imported lazily so that a no-change rebuild never pays for them; a build
    that will master audio calls this in a thread while the voice synthesizes, which
    releases the GIL.
    """
    import pyloudnorm  # noqa: F401
    from scipy import ndimage, signal  # noqa: F401


# --- PCM building blocks ------------------------------------------------------------


def silence(seconds: float, sample_rate: int) -> np.ndarray:
    if seconds < 0 or not math.isfinite(seconds):
        raise AudioError(f"A pause must be zero or more seconds, not {seconds}.")
    return np.zeros(round(seconds * sample_rate), dtype=np.int16)


def assemble(parts: Sequence[tuple[Pcm, float]]) -> tuple[Pcm, list[tuple[float, float]]]:
    """Join sentences, each followed by its pause; return (audio, each sentence's span).

    Spans come from sample counts, so they are exact positions in the returned audio.
    """
    if not parts:
        raise AudioError("There is no audio to assemble.")
    rate = parts[0][0].sample_rate
    chunks: list[np.ndarray] = []
    spans: list[tuple[float, float]] = []
    cursor = 0
    for index, (pcm, pause) in enumerate(parts):
        if pcm.sample_rate != rate:
            raise AudioError(
                f"Sentence {index + 1} is at {pcm.sample_rate} Hz, the others at {rate} Hz.",
                "Synthesize a section with one engine and voice.",
            )
        gap = silence(pause, rate)
        spans.append((cursor / rate, (cursor + len(pcm.samples)) / rate))
        chunks += [pcm.samples.astype(np.int16, copy=False), gap]
        cursor += len(pcm.samples) + len(gap)
    return Pcm(np.concatenate(chunks), rate), spans


def _to_float(pcm: Pcm) -> np.ndarray:
    return pcm.samples.astype(np.float32) / np.float32(32768)


def _to_int16(samples: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(samples * 32768.0), -32768, 32767).astype(np.int16)


def _resample(samples: np.ndarray, source_rate: int, target_rate: int) -> np.ndarray:
    """Polyphase resampling: exact length ceil(n * target / source), deterministic."""
    from scipy import signal

    if source_rate == target_rate:
        return samples
    common = math.gcd(source_rate, target_rate)
    out = signal.resample_poly(samples, target_rate // common, source_rate // common)
    return np.asarray(out, dtype=np.float32)


# --- Measurement --------------------------------------------------------------------


def _integrated_loudness(samples: np.ndarray, sample_rate: int) -> float:
    """BS.1770 integrated loudness (pyloudnorm); audio shorter than one gate is looped."""
    if not np.any(samples):
        return -math.inf
    minimum = math.ceil(_MEASURE_BLOCK_S * sample_rate) + 1
    if len(samples) < minimum:
        samples = np.tile(samples, math.ceil(minimum / len(samples)))
    import pyloudnorm

    meter = pyloudnorm.Meter(sample_rate)
    return float(meter.integrated_loudness(samples.astype(np.float64)))


def _k_weighted(samples: np.ndarray, rate: int) -> np.ndarray:
    """The BS.1770 K-weighting pyloudnorm's meter applies (high shelf, then high pass)."""
    from pyloudnorm.iirfilter import IIRfilter

    shelf = IIRfilter(4.0, 1 / math.sqrt(2), 1500.0, rate, "high_shelf")
    high_pass = IIRfilter(0.0, 0.5, 38.0, rate, "high_pass")
    return np.asarray(high_pass.apply_filter(shelf.apply_filter(samples.astype(np.float64))))


@functools.cache
def _tp_filter() -> np.ndarray:
    from scipy import signal

    taps = signal.firwin(_TP_TAPS, 1 / _OVERSAMPLE, window=("kaiser", 5.0)) * _OVERSAMPLE
    return np.asarray(taps, dtype=np.float32)


def _oversampled_abs(samples: np.ndarray) -> np.ndarray:
    """|signal| at 4x the rate, aligned so output i*4 is input sample i (shape (..., 4n))."""
    from scipy import signal

    delay = (_TP_TAPS - 1) // 2
    n = samples.shape[-1]
    up = signal.upfirdn(_tp_filter(), samples, _OVERSAMPLE, axis=-1)
    return np.abs(up[..., delay : delay + _OVERSAMPLE * n])


def loudness(pcm: Pcm) -> float:
    """Integrated loudness in LUFS (-inf for silence)."""
    return _integrated_loudness(_to_float(pcm), pcm.sample_rate)


def true_peak_db(pcm: Pcm) -> float:
    """4x-oversampled peak in dBTP (-inf for silence)."""
    if not np.any(pcm.samples):
        return -math.inf
    peak = float(_oversampled_abs(_to_float(pcm)).max())
    return 20 * math.log10(peak)


# --- Mastering ----------------------------------------------------------------------


def _block_true_peaks(samples: np.ndarray, floor: float) -> np.ndarray:
    """True peak of each _BLOCK-sample block (the last ones zero-padded to a whole span).

    Only spans of _SPAN_BLOCKS blocks reaching ``floor`` are oversampled: quieter ones
    stay far below the ceiling at any gain tried, and skipping them makes this several
    times cheaper on speech.
    """
    pad = _TP_TAPS // _OVERSAMPLE  # filter reach, in input samples
    span = _BLOCK * _SPAN_BLOCKS
    spans = -(-len(samples) // span)
    padded = np.zeros(spans * span + 2 * pad, dtype=np.float32)
    padded[pad : pad + len(samples)] = samples
    peaks = np.abs(padded[pad:-pad]).reshape(spans, _SPAN_BLOCKS, _BLOCK).max(axis=2)
    loud = np.flatnonzero(peaks.max(axis=1) >= floor)
    if len(loud):
        windows = padded[loud[:, None] * span + np.arange(span + 2 * pad)]
        over = _oversampled_abs(windows)[:, _OVERSAMPLE * pad : _OVERSAMPLE * (pad + span)]
        peaks[loud] = over.reshape(len(loud), _SPAN_BLOCKS, _OVERSAMPLE * _BLOCK).max(axis=2)
    return peaks.reshape(-1)


def _smoothed_curve(need: np.ndarray, rate: int) -> np.ndarray:
    """Per-block gain (≤ 1) at or under ``need`` everywhere, changing smoothly.

    A block's gain is the minimum need over [k - hold, k + attack], then box-smoothed
    over a window narrower than both, so every block (and, after linear interpolation,
    every sample) stays at or below what its own peak needs.
    """
    from scipy import ndimage

    block_s = _BLOCK / rate
    attack = max(2, round(_ATTACK_S / block_s))
    hold = max(2, round(_HOLD_S / block_s))
    smooth = min(round(_SMOOTH_S / block_s), attack - 1, hold - 1)
    # ndimage's positive origin shifts the window left: [k - hold, k + attack].
    size = attack + hold + 1
    held = ndimage.minimum_filter1d(need, size, mode="nearest", origin=hold - size // 2)
    return ndimage.uniform_filter1d(held, 2 * smooth + 1, mode="nearest")


def _apply_curve(samples: np.ndarray, rate: int, curve: np.ndarray, curve_rate: int) -> np.ndarray:
    """``samples`` (at any ``rate``) times a per-block curve made at ``curve_rate``."""
    centers = (np.arange(len(curve)) * _BLOCK + _BLOCK / 2) / curve_rate
    shape = np.interp(np.arange(len(samples)) / rate, centers, curve).astype(np.float32)
    return samples * shape


def _gating_bounds(length: int, rate: int) -> np.ndarray:
    """Block-index bounds (2, m) of pyloudnorm's 400 ms gating blocks (75% overlap)."""
    count = round((length / rate - _MEASURE_BLOCK_S) / (_MEASURE_BLOCK_S / 4)) + 1
    starts = (np.arange(max(count, 0)) * (_MEASURE_BLOCK_S / 4) * rate).astype(np.int64)
    lower = np.rint(starts / _BLOCK).astype(np.int64)
    return np.stack([lower, lower + round(_MEASURE_BLOCK_S * rate / _BLOCK)])


def _gated_loudness(energy: np.ndarray, bounds: np.ndarray, length: int, rate: int) -> float:
    """BS.1770 gated loudness from per-block K-weighted energy, as pyloudnorm gates it.

    Audio shorter than one gating block is measured whole (pyloudnorm measures it looped).
    """
    if not bounds.shape[1]:
        squares = np.array([energy.sum() / max(length, 1)])
    else:
        total = np.concatenate(([0.0], np.cumsum(energy)))
        upper = np.minimum(bounds[1], len(energy))
        squares = (total[upper] - total[bounds[0]]) / (_MEASURE_BLOCK_S * rate)
    with np.errstate(divide="ignore"):
        levels = -0.691 + 10 * np.log10(squares)
    kept = squares[levels >= -70.0]
    if not len(kept):
        return -math.inf
    relative = -0.691 + 10 * math.log10(float(kept.mean())) - 10.0
    kept = kept[-0.691 + 10 * np.log10(kept) > relative]
    return -0.691 + 10 * math.log10(float(kept.mean()))


@dataclass(frozen=True)
class _Limiter:
    """A look-ahead true-peak limiter working on _BLOCK-sample blocks of one signal.

    ``peaks`` are the blocks' true peaks and ``energy`` their K-weighted sums of squares,
    both at ``rate``, ``bounds`` the loudness meter's gating blocks; everything else is
    derived from them, so trying a gain is cheap.
    """

    peaks: np.ndarray
    energy: np.ndarray
    bounds: np.ndarray
    length: int
    ceiling: float
    rate: int

    @classmethod
    def of(cls, samples: np.ndarray, rate: int, ceiling: float) -> _Limiter:
        """A limiter for ``samples`` going by sample peaks; see ``oversampled``."""
        peaks = _block_true_peaks(samples, floor=math.inf)
        padded = np.zeros(len(peaks) * _BLOCK)
        padded[: len(samples)] = _k_weighted(samples, rate)
        energy = np.square(padded).reshape(-1, _BLOCK).sum(axis=1)
        bounds = _gating_bounds(len(samples), rate)
        return cls(peaks, energy, bounds, len(samples), ceiling, rate)

    def oversampled(self, samples: np.ndarray, floor: float) -> _Limiter:
        """The same limiter with true peaks for blocks whose sample peak reaches ``floor``."""
        return dataclasses.replace(self, peaks=_block_true_peaks(samples, floor))

    @property
    def free_gain_db(self) -> float:
        """The largest gain that needs no limiting at all."""
        return 20 * math.log10(self.ceiling / float(self.peaks.max()))

    def curve(self, gain_db: float) -> np.ndarray:
        """Per-block gain (≤ 1) keeping ``gain * peaks`` under the ceiling, smoothly."""
        need = np.minimum(1.0, self.ceiling / np.maximum(self.peaks * 10 ** (gain_db / 20), 1e-12))
        return _smoothed_curve(need, self.rate)

    @property
    def input_loudness_db(self) -> float:
        """Integrated loudness of the signal as it is (LUFS)."""
        return _gated_loudness(self.energy, self.bounds, self.length, self.rate)

    def loudness_db(self, gain_db: float) -> float:
        """Estimated integrated loudness after gain and limiting (LUFS).

        The limiter's gain changes are slow next to K-weighting, so the blocks' weighted
        energy times the squared curve, gated like BS.1770, is within ~0.01 LU of what
        pyloudnorm measures on the limited audio.
        """
        limited = np.square(self.curve(gain_db)) * self.energy * 10 ** (gain_db / 10)
        return _gated_loudness(limited, self.bounds, self.length, self.rate)

    def apply(self, samples: np.ndarray, rate: int, gain_db: float) -> np.ndarray:
        """``samples`` (the same audio, at any ``rate``) with the gain and limiting applied."""
        limited = _apply_curve(samples, rate, self.curve(gain_db), self.rate)
        return limited * np.float32(10 ** (gain_db / 20))


def _solve(function: Callable[[float], float], target: float, low: float, high: float) -> float:
    """The x in [low, high] where an increasing ``function`` reaches ``target`` (secant)."""
    points = [(low, function(low))]
    x = min(high, low + target - points[0][1])  # slope 1 below any limiting
    for _ in range(12):
        y = function(x)
        if abs(y - target) < 0.01 or (x == high and y < target):
            break
        (x0, y0), points = points[-1], [*points, (x, y)]
        slope = min(max((y - y0) / (x - x0), 0.05), 1.0) if x != x0 else 1.0
        x = min(max(x + (target - y) / slope, low), high)
    return x


def master(
    pcm: Pcm, *, sample_rate: int = SAMPLE_RATE, lufs: float = -16.0, true_peak_db: float = -1.0
) -> Pcm:
    """Resample, then normalize to ``lufs`` integrated with a gentle true-peak limiter.

    The ceiling sits _MP3_HEADROOM_DB under ``true_peak_db`` to leave room for MP3
    coding. Output has exactly ceil(n * sample_rate / pcm.sample_rate) samples; the
    same input always gives the same output.
    """
    source = _to_float(pcm)
    resampled = _resample(source, pcm.sample_rate, sample_rate)
    if not np.any(resampled):
        return Pcm(_to_int16(resampled), sample_rate)  # silence: nothing to normalize
    for headroom in _HEADROOMS_DB:
        ceiling = 10 ** ((true_peak_db - headroom) / 20)
        mastered = _limited(source, pcm.sample_rate, resampled, sample_rate, ceiling, lufs)
        if mastered is None:
            return Pcm(_to_int16(resampled), sample_rate)  # under the meter's -70 LUFS gate
        samples, reached = mastered
        if not lufs - _HEADROOM_RETRY_MAX_LU <= reached < lufs - _HEADROOM_RETRY_LU:
            break
        # A near miss: short, peaky takes cannot reach the target under the low ceiling
        # however hard they are limited; a higher one is safe because encode_mp3 turns
        # down any moment that MP3 coding then pushes over the true-peak limit. A far
        # miss is audio that would need crushing: it stays quieter, at the safe ceiling.
        log.debug("master: %.2f LUFS at %.1f dB of headroom; trying less", reached, headroom)
    return Pcm(_to_int16(samples), sample_rate)


def _limited(
    source: np.ndarray, rate: int, resampled: np.ndarray, out_rate: int, ceiling: float, lufs: float
) -> tuple[np.ndarray, float] | None:
    """Gain plus limiting under ``ceiling`` toward ``lufs``: (samples, LUFS reached)."""
    rough = _Limiter.of(resampled, out_rate, ceiling)
    measured = rough.input_loudness_db
    if not math.isfinite(measured):
        return None
    most = max(lufs - measured, rough.free_gain_db) + _MAX_EXTRA_GAIN_DB
    # A first gain from sample peaks tells which blocks need true-peak oversampling:
    # under `floor` a block stays below the ceiling even with 6 dB of overshoot.
    guess = _solve(rough.loudness_db, lufs, rough.free_gain_db, most)
    limiter = rough.oversampled(resampled, floor=ceiling / 10 ** (min(guess + 3, most) / 20) / 2)
    gain, reached = _normalizing_gain(limiter, source, rate, lufs, most)
    return limiter.apply(resampled, out_rate, gain), reached


def _normalizing_gain(
    limiter: _Limiter, source: np.ndarray, rate: int, lufs: float, most: float
) -> tuple[float, float]:
    """The gain (dB) that makes the limited audio measure ``lufs``, and what it measures.

    The first try is solved on the limiter's cheap estimate, then each try is checked
    with pyloudnorm on the limited source at its own rate (speech has nothing above it,
    and it is half the work). The second try corrects the estimate by its error, later
    ones follow the secant through the last two checks.
    """
    low = min(limiter.free_gain_db, most)
    gain = _solve(limiter.loudness_db, lufs, low, most)
    tries: list[tuple[float, float]] = []
    for _ in range(_MAX_MEASUREMENTS):
        result = _integrated_loudness(limiter.apply(source, rate, gain), rate)
        tries.append((gain, result))
        if abs(result - lufs) <= _LOUDNESS_TOLERANCE or (gain >= most and result < lufs):
            break
        if len(tries) == 1:
            bias = result - limiter.loudness_db(gain)
            gain = _solve(limiter.loudness_db, lufs - bias, low, most)
        else:
            (g1, r1), (g2, r2) = tries[-2:]
            slope = min(max((r2 - r1) / (g2 - g1), 0.05), 1.0) if g2 != g1 else 1.0
            gain = min(max(g2 + (lufs - r2) / slope, low), most)
    best = min(tries, key=lambda done: abs(done[1] - lufs))
    log.debug("master: %d check(s), gain %+.2f dB → %.2f LUFS", len(tries), *best)
    return best


# --- MP3 ----------------------------------------------------------------------------


def encode_mp3(
    pcm: Pcm, *, bitrate_kbps: int = 64, tags: Tags, true_peak_db: float | None = -1.0
) -> bytes:
    """Constant-bitrate mono 44.1 kHz MP3 with a LAME header, then ID3v2.3 tags.

    The decoded file is checked against ``true_peak_db`` (None: unchecked): where coding
    noise pushed peaks over it, those moments are turned down and the audio is encoded
    again, which keeps the loudness. Tags are v2.3 because podcast apps read chapters
    (CTOC/CHAP) from v2.3.
    """
    samples = pcm.samples.astype(np.float32) / np.float32(_LAME_OUTPUT_GAIN)
    for attempt in range(1, _MAX_ENCODES + 1):
        mp3 = _lame(samples, pcm.sample_rate, bitrate_kbps)
        if true_peak_db is None:
            break
        limit = 10 ** (true_peak_db / 20)
        peaks = _decoded_block_peaks(mp3, floor=limit / 2)
        excess = 20 * math.log10(max(float(peaks.max()), 1e-12) / limit)
        if excess <= 0:
            break
        if attempt == _MAX_ENCODES:
            log.warning("MP3 true peak stays %.2f dB over %s dBTP", excess, true_peak_db)
            break
        log.info("MP3 true peak %.2f dB over %s dBTP; re-encoding", excess, true_peak_db)
        need = np.minimum(1.0, limit * 10 ** (-_REENCODE_MARGIN_DB / 20) / peaks.clip(1e-12))
        curve = _smoothed_curve(need, SAMPLE_RATE)  # the decoded audio is at SAMPLE_RATE
        samples = _apply_curve(samples, pcm.sample_rate, curve, SAMPLE_RATE)
    return _tagged(mp3, tags)


def _lame(samples: np.ndarray, rate: int, bitrate_kbps: int) -> bytes:
    """Encode with libmp3lame. ffmpeg writes the Xing/LAME header (exact length, encoder
    delay and padding for gapless decoding) only to a seekable file, hence the private
    TemporaryDirectory; nothing is left behind."""
    raw = np.rint(np.clip(samples, -32768, 32767)).astype("<i2").tobytes()
    with tempfile.TemporaryDirectory(prefix="baclovoice-") as folder:
        out = Path(folder) / "audio.mp3"
        args = (
            f"-f s16le -ar {rate} -ac 1 -i pipe:0 -map_metadata -1"
            f" -c:a libmp3lame -b:a {bitrate_kbps}k -ar {SAMPLE_RATE} -ac 1"
            " -write_xing 1 -id3v2_version 0 -fflags +bitexact -flags:a +bitexact -f mp3 -y"
        )
        _run_ffmpeg([*args.split(), str(out)], raw)
        return out.read_bytes()


def _decoded_block_peaks(mp3: bytes, floor: float) -> np.ndarray:
    """True peak of each block of the decoded MP3 (gapless, so aligned with its input),
    oversampling only spans reaching ``floor``."""
    samples = _to_float(_pydub_decode(mp3, "mp3"))  # our own file: no truncation walk
    return _block_true_peaks(samples, floor)


def _tagged(mp3: bytes, tags: Tags) -> bytes:
    stream = io.BytesIO(mp3)
    _id3(tags).save(stream, v2_version=3)
    return _chapters_in_time_order(stream.getvalue())


def _chapters_in_time_order(data: bytes) -> bytes:
    """Rewrite the ID3v2.3 tag with its CHAP frames in start-time order.

    mutagen orders frames by size, and players that list chapters in file order
    (ffprobe, ffmpeg-based apps) would show them shuffled; the CTOC's order alone
    is not enough for them. Only frame order changes; sizes and bytes stay.
    """
    end = 10 + _syncsafe(data[6:10])
    frames, at = [], 10
    while at + 10 <= end and data[at : at + 4].strip(b"\0"):
        size = int.from_bytes(data[at + 4 : at + 8], "big")
        frames.append(data[at : at + 10 + size])
        at += 10 + size
    chaps = [i for i, f in enumerate(frames) if f[:4] == b"CHAP"]

    def start_ms(frame: bytes) -> int:
        body = frame[10:]
        cut = body.index(b"\0") + 1  # element id, null-terminated
        return int.from_bytes(body[cut : cut + 4], "big")

    for index, frame in zip(chaps, sorted((frames[i] for i in chaps), key=start_ms), strict=True):
        frames[index] = frame
    return data[:10] + b"".join(frames) + data[at:]


def _syncsafe(four: bytes) -> int:
    size = 0
    for byte in four:  # 7 bits per byte
        size = (size << 7) | (byte & 0x7F)
    return size


def _id3(tags: Tags) -> ID3:
    id3 = ID3()
    id3.add(TIT2(encoding=3, text=[tags.title]))
    id3.add(TALB(encoding=3, text=[tags.album]))
    id3.add(TPE1(encoding=3, text=[tags.artist]))
    if tags.track > 0:
        number = f"{tags.track}/{tags.track_total}" if tags.track_total else str(tags.track)
        id3.add(TRCK(encoding=3, text=[number]))
    id3.add(COMM(encoding=3, lang="eng", desc="", text=[tags.comment or DEFAULT_COMMENT]))
    if tags.cover_png:
        cover = PictureType.COVER_FRONT
        id3.add(APIC(encoding=3, mime="image/png", type=cover, desc="Cover", data=tags.cover_png))
    if tags.chapters:
        for frame in _chapter_frames(tags.chapters):
            id3.add(frame)
    return id3


def _chapter_frames(chapters: Sequence[Chapter]) -> list[Any]:
    """One top-level ordered CTOC listing one CHAP per chapter (times in ms)."""
    frames: list[Any] = []
    previous_end = 0.0
    for index, chapter in enumerate(chapters):
        if not 0 <= chapter.start < chapter.end or chapter.start < previous_end - 1e-6:
            raise AudioError(
                f"Chapter {index + 1} ({chapter.title!r}) spans {chapter.start}-{chapter.end} s.",
                "Chapters must be in order, non-overlapping, and end after they start.",
            )
        previous_end = chapter.end
        sub: list[Any] = [TIT2(encoding=3, text=[chapter.title])]
        if chapter.url:
            sub.append(WXXX(encoding=3, desc="", url=chapter.url))
        start, end = round(chapter.start * 1000), round(chapter.end * 1000)
        frames.append(
            CHAP(element_id=f"chp{index}", start_time=start, end_time=end, sub_frames=sub)
        )
    toc = CTOC(
        element_id="toc",
        flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
        child_element_ids=[f"chp{index}" for index in range(len(chapters))],
        sub_frames=[],
    )
    return [toc, *frames]


def _mp3_truncated(data: bytes) -> bool:
    """True if the last MPEG frame is cut short, or there is no MPEG frame at all.

    ffmpeg decodes a cut-off MP3 without complaint, giving silently short audio.
    Walking frame headers (mutagen's parser) catches a cut inside a frame; a walk that
    meets non-frame bytes (a trailing tag) stops there and trusts the decoder.
    """
    stream = io.BytesIO(data)
    try:
        skip_id3(stream)
        MPEGFrame(stream)
    except (HeaderNotFoundError, EOFError, OSError):
        return True
    while stream.tell() < len(data):
        try:
            MPEGFrame(stream)
        except (HeaderNotFoundError, EOFError, OSError):
            return False
    return stream.tell() > len(data)


@functools.cache
def _segment_class() -> Any:
    """pydub's AudioSegment, bound to our ffmpeg by subclassing.

    pydub reads its ffmpeg from the class attribute ``converter``; a subclass sets it
    without mutating pydub's globals. The import is wrapped because pydub warns at
    import when no ffmpeg is on PATH (ours comes from imageio-ffmpeg) and imports the
    deprecated ``audioop``; neither is actionable here.
    """
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        from pydub import AudioSegment

    return type("FfmpegSegment", (AudioSegment,), {"converter": ffmpeg_path()})


def decode(data: bytes, *, codec_hint: str = "mp3") -> Pcm:
    """Compressed audio bytes → mono 16-bit Pcm at the file's own rate.

    A truncated MP3 is refused first: ffmpeg would decode it to silently short audio.
    """
    if not data:
        raise AudioError("The audio is empty (0 bytes).")
    if codec_hint == "mp3" and _mp3_truncated(data):
        raise AudioError(
            f"The MP3 ({len(data)} bytes) is not a complete MPEG audio stream.",
            "It was cut off or is not MP3 at all; fetch or build it again.",
        )
    return _pydub_decode(data, codec_hint)


def _pydub_decode(data: bytes, codec: str) -> Pcm:
    """Decode with pydub: ``from_file(..., codec=...)`` pipes the bytes through ffmpeg
    without ffprobe (imageio-ffmpeg ships none) or temporary files, then converts
    channels and sample width."""
    segment_class = _segment_class()  # imports pydub quietly, before its exceptions module
    from pydub.exceptions import CouldntDecodeError

    try:
        segment = segment_class.from_file(io.BytesIO(data), codec=codec)
    except (CouldntDecodeError, OSError) as exc:
        reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        raise AudioError(f"Cannot decode {codec} audio: {reason}") from None
    segment = segment.set_channels(1).set_sample_width(2)
    samples = np.frombuffer(segment.raw_data, dtype="<i2").astype(np.int16)
    if not len(samples):
        raise AudioError(f"The {codec} audio decodes to no samples.")
    return Pcm(samples, int(segment.frame_rate))


# --- WAV cache format ---------------------------------------------------------------


def wav_bytes(pcm: Pcm) -> bytes:
    """Mono 16-bit WAV: the sentence cache format (lossless, stdlib-readable)."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(pcm.sample_rate)
        out.writeframes(pcm.samples.astype("<i2").tobytes())
    return buffer.getvalue()


def read_wav(data: bytes) -> Pcm:
    """Read a cached sentence; AudioError if the file is cut short, padded or corrupt.

    ``wave`` silently returns fewer frames from a truncated file, so both the RIFF size
    and the frame count from the header are checked against the bytes actually there.
    """
    try:
        with wave.open(io.BytesIO(data), "rb") as wav:
            channels, width, rate = wav.getnchannels(), wav.getsampwidth(), wav.getframerate()
            expected = wav.getnframes()
            frames = wav.readframes(expected)
    except (wave.Error, EOFError) as exc:
        raise AudioError(f"Not a readable WAV file: {exc or 'truncated header'}.") from None
    if channels != 1 or width != 2:
        raise AudioError(f"Expected mono 16-bit WAV, got {channels} channel(s) of {width} bytes.")
    riff_size = int.from_bytes(data[4:8], "little")
    if len(frames) != expected * width or riff_size != len(data) - 8:
        raise AudioError(
            f"WAV is damaged: header says {expected} frames ({riff_size + 8} bytes), "
            f"file has {len(frames) // width} frames ({len(data)} bytes).",
            "Delete the file; it will be synthesized again.",
        )
    return Pcm(np.frombuffer(frames, dtype="<i2").astype(np.int16), rate)


# --- whole-article MP3 from section MP3s ---------------------------------------------

FRAME_SAMPLES = 1152  # samples per MPEG-1 Layer III frame


def mp3_frames(data: bytes) -> int:
    """Audio frames in an MP3 we encoded, from its Xing/Info header (flag 1 = frame count).

    The count excludes the Info frame itself, which decoders and ffmpeg's concat skip.
    """
    stream = io.BytesIO(data)
    skip_id3(stream)
    head = stream.read(200)
    for tag in (b"Info", b"Xing"):
        at = head.find(tag)
        if at >= 0 and int.from_bytes(head[at + 4 : at + 8], "big") & 1:
            return int.from_bytes(head[at + 8 : at + 12], "big")
    raise AudioError("The MP3 has no Xing/Info frame count.", "Rebuild: baclovoice build --force")


def part_starts(files: Sequence[Path]) -> list[float]:
    """Where each part's audio starts (seconds) once ``concat_mp3`` joins them.

    Every part was encoded alone, so each begins with the encoder's priming delay; a
    decoder trims only the first one (the joined file's LAME header), so part k starts
    exactly at the sum of the earlier parts' frames. The few ms of padding and priming
    at each join are silence inside the pause that ends every section.
    """
    starts, cursor = [], 0
    for path in files:
        starts.append(cursor / SAMPLE_RATE)
        cursor += mp3_frames(path.read_bytes()) * FRAME_SAMPLES
    return starts


def concat_mp3(files: Sequence[Path], *, tags: Tags) -> bytes:
    """Join MP3s of one encoding without re-encoding (ffmpeg concat demuxer, stream copy):
    the same loudness and bits as the parts, in a fraction of a second."""
    with tempfile.TemporaryDirectory(prefix="baclovoice-") as folder:
        listing = Path(folder) / "parts.txt"
        quoted = (str(p.resolve()).replace("'", "'\\''") for p in files)
        listing.write_text("".join(f"file '{q}'\n" for q in quoted), encoding="utf-8")
        out = Path(folder) / "joined.mp3"
        args = ["-f", "concat", "-safe", "0", "-i", str(listing), "-map_metadata", "-1"]
        args += ["-c", "copy", "-write_xing", "1", "-id3v2_version", "0", "-f", "mp3", "-y"]
        _run_ffmpeg([*args, str(out)], b"")
        return _tagged(out.read_bytes(), tags)

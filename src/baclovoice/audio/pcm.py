"""Mono 16-bit PCM and its building blocks: silence, joining sentences, WAV cache format.

The lowest layer: engines produce ``Pcm``, mastering and encoding consume it.
"""

from __future__ import annotations

import io
import math
import wave
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from baclovoice.errors import AudioError

SAMPLE_RATE = 44100  # published audio's rate
# Samples per piece when long audio is processed piece by piece (6 s at 44.1 kHz: a few
# MB of float64 temporaries however long the section).
CHUNK = 1 << 18


@dataclass(frozen=True)
class Pcm:
    """Mono signed 16-bit audio. Durations are always len(samples) / sample_rate."""

    samples: np.ndarray  # shape (n,), dtype int16
    sample_rate: int

    @property
    def duration(self) -> float:
        return len(self.samples) / self.sample_rate


# --- PCM building blocks ------------------------------------------------------------


def silence(seconds: float, sample_rate: int) -> np.ndarray:
    if seconds < 0 or not math.isfinite(seconds):
        raise AudioError(f"A pause must be zero or more seconds, not {seconds}.")
    return np.zeros(round(seconds * sample_rate), dtype=np.int16)


def assemble(parts: Sequence[tuple[Pcm, float]]) -> tuple[Pcm, list[tuple[float, float]]]:
    """Join sentences, each followed by its pause; return (audio, each sentence's span).

    Spans come from sample counts, so they are exact positions in the returned audio,
    which is written into one preallocated array (a long section is tens of MB).
    """
    if not parts:
        raise AudioError("There is no audio to assemble.")
    rate = parts[0][0].sample_rate
    for index, (pcm, _) in enumerate(parts):
        if pcm.sample_rate != rate:
            raise AudioError(
                f"Sentence {index + 1} is at {pcm.sample_rate} Hz, the others at {rate} Hz.",
                "Synthesize a section with one engine and voice.",
            )
    gaps = [len(silence(pause, rate)) for _, pause in parts]
    joined = np.zeros(sum(len(p.samples) for p, _ in parts) + sum(gaps), dtype=np.int16)
    spans: list[tuple[float, float]] = []
    cursor = 0
    for (pcm, _), gap in zip(parts, gaps, strict=True):
        joined[cursor : cursor + len(pcm.samples)] = pcm.samples
        spans.append((cursor / rate, (cursor + len(pcm.samples)) / rate))
        cursor += len(pcm.samples) + gap
    return Pcm(joined, rate), spans


def to_float(pcm: Pcm) -> np.ndarray:
    return pcm.samples.astype(np.float32) / np.float32(32768)


def to_int16(samples: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(samples * 32768.0), -32768, 32767).astype(np.int16)


def float_chunks(pcm: Pcm, size: int = CHUNK) -> Iterator[np.ndarray]:
    """``to_float(pcm)`` in pieces of ``size`` samples."""
    for start in range(0, len(pcm.samples), size):
        yield to_float(Pcm(pcm.samples[start : start + size], pcm.sample_rate))


def windows(
    chunks: Iterable[np.ndarray], hop: int, context: int = 0, align: int = 1
) -> Iterator[np.ndarray]:
    """A signal given in pieces, regrouped into float32 windows stepping by ``hop``.

    Window k holds samples [k*hop - context, (k+1)*hop + context), zeros outside the
    signal; the last one's middle is cut to the signal's end rounded up to a multiple
    of ``align`` (which divides ``hop``). A filter run on each window thus sees every
    sample's neighbours as in the whole signal, while only one window is in memory.
    """
    size = hop + 2 * context
    window = np.zeros(size, dtype=np.float32)
    filled = context  # the leading context: zeros before the signal
    for chunk in chunks:
        at = 0
        while at < len(chunk):
            take = min(size - filled, len(chunk) - at)
            window[filled : filled + take] = chunk[at : at + take]
            filled, at = filled + take, at + take
            if filled == size:
                yield window.copy()
                window[: 2 * context] = window[hop:]
                filled = 2 * context
    window[filled:] = 0
    middle = filled - context  # samples still to be the middle of a window: < hop + context
    while middle > 0:
        yield window[: context + min(hop, -(-middle // align) * align) + context].copy()
        window[: 2 * context] = window[hop:]
        window[2 * context :] = 0
        middle -= hop


def resampled_chunks(pcm: Pcm, rate: int) -> Iterator[np.ndarray]:
    """``pcm`` at ``rate`` (float32) in pieces of about CHUNK samples.

    The same samples as scipy's resample_poly on the whole signal (length
    ceil(n * rate / pcm.sample_rate)): each window starts on a whole output sample and
    carries more context than the filter reaches, so only one window is in memory.
    """
    from scipy import signal

    if pcm.sample_rate == rate:
        yield from float_chunks(pcm)
        return
    common = math.gcd(pcm.sample_rate, rate)
    up, down = rate // common, pcm.sample_rate // common
    # resample_poly's filter spans 10 * max(up, down) upsampled samples each way.
    reach = math.ceil((10 * max(up, down) + down) / up) + 1
    context = down * math.ceil(reach / down)
    hop = down * max(1, CHUNK * down // up // down)
    left = -(-len(pcm.samples) * up // down)  # ceil, in integers
    skip, step = context * up // down, hop * up // down
    for window in windows(float_chunks(pcm), hop, context):
        piece = signal.resample_poly(window, up, down)[skip : skip + min(step, left)]
        left -= len(piece)
        yield np.asarray(piece, dtype=np.float32)


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

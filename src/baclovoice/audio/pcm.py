"""Mono 16-bit PCM and its building blocks: silence, joining sentences, WAV cache format.

The lowest layer: engines produce ``Pcm``, mastering and encoding consume it.
"""

from __future__ import annotations

import io
import math
import wave
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from baclovoice.errors import AudioError

SAMPLE_RATE = 44100  # published audio's rate


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


def to_float(pcm: Pcm) -> np.ndarray:
    return pcm.samples.astype(np.float32) / np.float32(32768)


def to_int16(samples: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(samples * 32768.0), -32768, 32767).astype(np.int16)


def resample(samples: np.ndarray, source_rate: int, target_rate: int) -> np.ndarray:
    """Polyphase resampling: exact length ceil(n * target / source), deterministic."""
    from scipy import signal

    if source_rate == target_rate:
        return samples
    common = math.gcd(source_rate, target_rate)
    out = signal.resample_poly(samples, target_rate // common, source_rate // common)
    return np.asarray(out, dtype=np.float32)


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

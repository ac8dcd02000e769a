"""A deterministic stand-in voice: tones whose length follows the text.

It lets build, publish, feed and web tests (and anyone trying the pipeline without a
voice) run in milliseconds with real audio: the same text always gives the same
samples, longer text gives longer audio, and the pitch changes from word to word so
loudness and limiting behave as they do on speech.
"""

from __future__ import annotations

import hashlib

import numpy as np

from baclovoice.audio.pcm import Pcm
from baclovoice.errors import EngineError

SAMPLE_RATE = 22050  # Piper's rate, so assembling and resampling are exercised alike
SECONDS_PER_CHARACTER = 0.055  # about Piper's speaking rate
WORD_GAP_S = 0.04


class FakeEngine:
    """Tones, one per word; ``fail_on`` makes synthesis of matching text fail (for tests)."""

    name = "fake"

    def __init__(self, fail_on: str = "") -> None:
        self.fail_on = fail_on
        self.calls = 0

    @property
    def voice(self) -> str:
        return "test tones (fake engine)"

    def identity(self) -> dict[str, str]:
        return {"engine": self.name, "version": "1"}

    def synthesize(self, text: str) -> Pcm:
        self.calls += 1
        if self.fail_on and self.fail_on in text:
            raise EngineError(f"The fake engine was told to fail on {self.fail_on!r}.")
        words = text.split()
        parts = [_word_tone(word) for word in words]
        gap = np.zeros(round(WORD_GAP_S * SAMPLE_RATE), dtype=np.int16)
        joined = [piece for part in parts for piece in (part, gap)][:-1]
        samples = np.concatenate(joined) if joined else np.zeros(0, dtype=np.int16)
        return Pcm(samples.astype(np.int16), SAMPLE_RATE)


def _word_tone(word: str) -> np.ndarray:
    """A tone for one word: pitch from its hash, length from its characters, soft edges."""
    seed = int.from_bytes(hashlib.sha256(word.encode("utf-8")).digest()[:2], "big")
    frequency = 140.0 + seed % 260
    length = max(1, round(len(word) * SECONDS_PER_CHARACTER * SAMPLE_RATE))
    t = np.arange(length) / SAMPLE_RATE
    envelope = np.minimum(1.0, np.minimum(t, t[::-1]) / 0.01)
    wave = np.sin(2 * np.pi * frequency * t) + 0.3 * np.sin(6 * np.pi * frequency * t)
    return np.rint(wave * envelope * 9000).astype(np.int16)

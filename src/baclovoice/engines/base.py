"""The engine interface: text in, mono PCM out. A new engine is one small module."""

from __future__ import annotations

from typing import Protocol

from baclovoice.audio.pcm import Pcm

__all__ = ["Engine", "Pcm"]


class Engine(Protocol):
    """A speech engine. Loading (a voice, a session) happens lazily on first synthesize."""

    name: str  # registry name, e.g. "piper"

    @property
    def voice(self) -> str:
        """Human-readable voice name for pages and tags, e.g. "joe (en_US, medium)"."""
        ...

    def identity(self) -> dict[str, str]:
        """Everything that changes the sound (voice file digest, settings) for cache keys.

        Must be cheap: it is called on every build, including no-change rebuilds that
        must not load a voice.
        """
        ...

    def synthesize(self, text: str) -> Pcm:
        """Speak one sentence of already-normalized text. Raises EngineError on failure."""
        ...

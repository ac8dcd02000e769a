"""Speech engines by name. Adding one = one small module + one line in _FACTORIES.

Creating an engine is cheap: it checks paths and options but loads no voice, so a
no-change rebuild can ask for ``identity()`` without paying for a model load.

The build receives an :class:`EngineFactory` rather than an engine, because each
synthesis worker process builds its own engine (and loads its own voice) from it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from baclovoice.audio.ffmpeg import Ffmpeg
from baclovoice.audio.pcm import Pcm
from baclovoice.engines.base import Engine
from baclovoice.errors import InputError
from baclovoice.settings import Settings


def _piper(settings: Settings, threads: int) -> Engine:
    from baclovoice.engines.piper import PiperEngine

    return PiperEngine(settings.voice, threads=threads)


def _gtts(settings: Settings, threads: int) -> Engine:
    from baclovoice.engines.gtts import GttsEngine

    return GttsEngine(
        lang=settings.gtts_lang,
        tld=settings.gtts_tld,
        timeout=settings.gtts_timeout,
        ffmpeg=Ffmpeg(settings.ffmpeg),
    )


def _fake(settings: Settings, threads: int) -> Engine:
    from baclovoice.engines.fake import FakeEngine

    return FakeEngine()


_FACTORIES: dict[str, Callable[[Settings, int], Engine]] = {
    "piper": _piper,
    "gtts": _gtts,
    "fake": _fake,
}
ENGINE_NAMES: tuple[str, ...] = tuple(_FACTORIES)

__all__ = [
    "ENGINE_NAMES",
    "Engine",
    "EngineFactory",
    "Pcm",
    "NamedEngine",
    "SharedEngine",
    "create_engine",
]


def create_engine(name: str, settings: Settings, *, threads: int = 0) -> Engine:
    """The engine called ``name``, configured from ``settings``; ``threads`` caps Piper's."""
    return _factory(name)(settings, threads)


def _factory(name: str) -> Callable[[Settings, int], Engine]:
    try:
        return _FACTORIES[name]
    except KeyError:
        raise InputError(
            f"Unknown speech engine {name!r}.",
            f"Choose one of: {', '.join(ENGINE_NAMES)} (piper works offline).",
        ) from None


class EngineFactory(Protocol):
    """Makes the engine a build uses, in the main process or in a worker (``threads``)."""

    def __call__(self, threads: int = 0) -> Engine: ...


@dataclass(frozen=True)
class NamedEngine:
    """The engine named by the settings; picklable, so worker processes can rebuild it."""

    settings: Settings

    def __post_init__(self) -> None:
        """An unknown engine name is a clear error at once, before any work starts."""
        _factory(self.settings.engine)

    def __call__(self, threads: int = 0) -> Engine:
        return create_engine(self.settings.engine, self.settings, threads=threads)


@dataclass(frozen=True)
class SharedEngine:
    """One ready engine for every caller: for tests and in-process use (not picklable
    engines stay in the main process, since the build forks its workers)."""

    engine: Engine

    def __call__(self, threads: int = 0) -> Engine:
        return self.engine

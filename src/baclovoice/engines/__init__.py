"""Speech engines by name. Adding one = one small module + one line in _FACTORIES.

Creating an engine is cheap: it checks paths and options but loads no voice, so a
no-change rebuild can ask for ``identity()`` without paying for a model load.
"""

from __future__ import annotations

from collections.abc import Callable

from baclovoice.engines.base import Engine, Pcm
from baclovoice.errors import InputError
from baclovoice.settings import Settings


def _piper(settings: Settings, threads: int) -> Engine:
    from baclovoice.engines.piper import PiperEngine

    return PiperEngine(settings.voice, threads=threads)


def _gtts(settings: Settings, threads: int) -> Engine:
    from baclovoice.engines.gtts import GttsEngine

    return GttsEngine(lang=settings.gtts_lang, tld=settings.gtts_tld, timeout=settings.gtts_timeout)


_FACTORIES: dict[str, Callable[[Settings, int], Engine]] = {"piper": _piper, "gtts": _gtts}
ENGINE_NAMES: tuple[str, ...] = tuple(_FACTORIES)

__all__ = ["ENGINE_NAMES", "Engine", "Pcm", "create_engine"]


def create_engine(name: str, settings: Settings, *, threads: int = 0) -> Engine:
    """The engine called ``name``, configured from ``settings``; ``threads`` caps Piper's."""
    try:
        factory = _FACTORIES[name]
    except KeyError:
        raise InputError(
            f"Unknown speech engine {name!r}.",
            f"Choose one of: {', '.join(ENGINE_NAMES)} (piper works offline).",
        ) from None
    return factory(settings, threads)

"""Sentence offsets in display text: pysbd, plus fixes for abbreviations and addresses.

Offsets (not strings) so the player can highlight exactly the text on the page.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection
from functools import lru_cache

import pysbd

from baclovoice.speech import data
from baclovoice.speech.normalize import BARE_DOMAIN, EMAIL, URL

# --- sentences ---------------------------------------------------------------------

log = logging.getLogger(__name__)


@lru_cache(maxsize=8)
def _segmenter(language: str) -> pysbd.Segmenter:
    """One segmenter per language, built once (it compiles many regexes)."""
    try:
        return pysbd.Segmenter(language=language, clean=False, char_span=True)
    except ValueError:
        log.warning("no sentence rules for language %r; using English", language)
        return _segmenter("en")


def _abbreviation_mask(
    never: Collection[str], maybe: Collection[str], numbered: Collection[str]
) -> re.Pattern[str]:
    """Periods that cannot end a sentence: always, before lower case, before a number."""

    def alternatives(keys: Collection[str]) -> str:
        return "|".join(re.escape(k) for k in sorted(keys, key=len, reverse=True))

    return re.compile(
        rf"(?<![\w.])(?:(?:{alternatives(never)})(?=\s*\S)"
        rf"|(?:{alternatives(maybe)})(?=\s+[a-z0-9(]|\s*[,;:])"
        rf"|(?:{alternatives(numbered)})(?=\s*\d))"
    )


_NO_SPLIT = _abbreviation_mask(
    data.NON_FINAL_ABBREVIATIONS,
    data.MAYBE_FINAL_ABBREVIATIONS,
    [k for k in data.NUMBERED_ABBREVIATIONS if k.endswith(".")],
)


def _masked(text: str) -> str:
    """Same-length copy where no period in an address or abbreviation can end a sentence."""
    for pattern in (EMAIL, URL, BARE_DOMAIN):
        text = pattern.sub(lambda m: "x" * len(m.group()), text)
    return _NO_SPLIT.sub(lambda m: m.group().replace(".", "_"), text)


def _cuts(text: str, language: str) -> list[int]:
    """Offsets where pysbd ends a sentence.

    pysbd leaves out any sentence it cannot locate again in the text; that only
    loses a cut (two sentences merge), never text, as spans are rebuilt from cuts.
    """
    return [span.end for span in _segmenter(language).segment(text)]


@lru_cache(maxsize=4096)
def _split(text: str, language: str) -> tuple[tuple[int, int], ...]:
    masked = _masked(text)
    spans: list[tuple[int, int]] = []
    start = 0
    for cut in [*_cuts(masked, language), len(text)]:
        piece = text[start:cut]
        if piece.strip():
            left = start + len(piece) - len(piece.lstrip())
            right = start + len(piece.rstrip())
            starts_lower = spans and text[left].islower() and text[spans[-1][1] - 1] == "."
            if starts_lower:
                spans[-1] = (spans[-1][0], right)
            else:
                spans.append((left, right))
        start = max(start, cut)
    return tuple(spans)


def split_sentences(text: str, language: str = "en") -> list[tuple[int, int]]:
    """[start, end) offsets of each sentence in ``text``, surrounding whitespace excluded."""
    return list(_split(text, language.replace("_", "-").split("-")[0].lower() or "en"))


# --- long sentences ----------------------------------------------------------------

# Piper's memory grows with the length of one utterance (its decoder holds the whole
# utterance's audio), not with the article: 200 characters is about 13 s of speech.
MAX_UTTERANCE = 200  # characters of display text
MAX_SPOKEN = 260  # characters of spoken text (numbers and symbols grow when spoken)
_CLAUSE_END = re.compile(r"[,;:)\]}\u2013\u2014](?=\s)|\s[\u2013\u2014-](?=\s)")


def _break_at(text: str, start: int, end: int, limit: int) -> int:
    """Where to end the piece starting at ``start``: a clause end, else a space, else the limit."""
    window = text[start : start + limit]
    clause = [m.end() for m in _CLAUSE_END.finditer(window) if m.end() > limit // 3]
    if clause:
        return start + clause[-1]
    space = window.rfind(" ", limit // 3)
    return start + space if space > 0 else start + limit


def split_long(
    text: str, span: tuple[int, int], limit: int = MAX_UTTERANCE
) -> list[tuple[int, int]]:
    """Split one sentence span into pieces of at most ``limit`` characters.

    Cuts at clause boundaries (commas, semicolons, dashes) where it can, then
    between words, so no single utterance makes the engine's memory blow up.
    """
    start, end = span
    pieces: list[tuple[int, int]] = []
    while end - start > limit:
        cut = _break_at(text, start, end, limit)
        piece = text[start:cut]
        pieces.append((start, start + len(piece.rstrip())))
        start = cut + len(text[cut:end]) - len(text[cut:end].lstrip())
    if text[start:end].strip():
        pieces.append((start, end))
    return pieces

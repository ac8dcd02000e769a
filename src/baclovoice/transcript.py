"""Manifest → the transcript a reader sees: a span per spoken sentence.

Pure, and shared by everything that shows the text with its timings: the player
page (``web``) and the read-along book (``formats.epub``). Every sentence the
manifest times becomes a ``Span`` whose id is also its WebVTT cue id
(``bv-s<section>-<index>``), so a read-along script can go from a cue to the
words on the page and back. Sentences are located inside their
block's text; one that is spoken but not shown (an announcement) gets no span.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from baclovoice.models import BlockEntry, Manifest, SectionEntry
from baclovoice.slugs import PUBLISHED_ID, TITLE_ID, sentence_id


@dataclass(frozen=True)
class Span:
    """One timed sentence: ``start``/``end`` are seconds inside its section's audio."""

    id: str
    text: str
    start: float
    end: float


Piece = str | Span


@dataclass(frozen=True)
class BlockView:
    id: str
    kind: str
    level: int
    pieces: tuple[Piece, ...]


@dataclass(frozen=True)
class Group:
    """Consecutive list items share one list; every other block stands alone."""

    kind: str  # "list" or "block"
    blocks: tuple[BlockView, ...]


@dataclass(frozen=True)
class SectionView:
    entry: SectionEntry
    heading: tuple[Piece, ...]
    groups: tuple[Group, ...]


@dataclass(frozen=True)
class ArticleView:
    manifest: Manifest
    title: tuple[Piece, ...]
    published: Span | None  # timing of the spoken date line, if it was spoken
    sections: tuple[SectionView, ...]


def section_spans(section: SectionEntry) -> list[tuple[str, Span]]:
    """(element_id, span) for every sentence of a section, in spoken order."""
    return [
        (t.element_id, Span(sentence_id(section.number, i), t.text, t.start, t.end))
        for i, t in enumerate(section.sentences, start=1)
    ]


def _pattern(text: str) -> re.Pattern[str] | None:
    """Match a sentence whatever whitespace the page text has between its words."""
    words = text.split()
    return re.compile(r"\s+".join(map(re.escape, words))) if words else None


def segment(text: str, spans: Iterable[Span]) -> tuple[Piece, ...]:
    """Split ``text`` into plain strings and the spans found in it, in order."""
    pieces: list[Piece] = []
    cursor = 0
    for span in spans:
        pattern = _pattern(span.text)
        found = pattern.search(text, cursor) if pattern else None
        if found is None:
            continue
        if found.start() > cursor:
            pieces.append(text[cursor : found.start()])
        pieces.append(Span(span.id, found.group(), span.start, span.end))
        cursor = found.end()
    if cursor < len(text):
        pieces.append(text[cursor:])
    return tuple(pieces)


def _groups(blocks: Sequence[BlockView]) -> tuple[Group, ...]:
    groups: list[Group] = []
    for block in blocks:
        kind = "list" if block.kind == "list-item" else "block"
        if kind == "list" and groups and groups[-1].kind == "list":
            groups[-1] = Group("list", groups[-1].blocks + (block,))
        else:
            groups.append(Group(kind, (block,)))
    return tuple(groups)


def _spans_for(pairs: list[tuple[str, Span]], element_id: str) -> list[Span]:
    return [span for owner, span in pairs if owner == element_id]


def _block_view(block: BlockEntry, pairs: list[tuple[str, Span]]) -> BlockView:
    pieces = segment(block.text, _spans_for(pairs, block.id))
    return BlockView(block.id, block.kind, block.level, pieces)


def section_view(section: SectionEntry) -> SectionView:
    pairs = section_spans(section)
    heading = segment(section.title, _spans_for(pairs, section.id))
    blocks = [_block_view(block, pairs) for block in section.blocks]
    return SectionView(section, heading, _groups(blocks))


def article_view(manifest: Manifest) -> ArticleView:
    """The whole page's transcript; the title and date line are spoken in section 1."""
    pairs = [pair for section in manifest.sections for pair in section_spans(section)]
    published = _spans_for(pairs, PUBLISHED_ID)
    return ArticleView(
        manifest=manifest,
        title=segment(manifest.title, _spans_for(pairs, TITLE_ID)),
        published=published[0] if published else None,
        sections=tuple(section_view(section) for section in manifest.sections),
    )

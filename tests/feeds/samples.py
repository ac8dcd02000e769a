"""In-memory manifests for the pure feed tests (no audio files needed)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from baclovoice.models import AudioFile, BlockEntry, Manifest, SectionEntry, SentenceTiming


def section(number: int, title: str, start: float, duration: float = 61.4) -> SectionEntry:
    sid = f"part-{number}"
    blocks = (
        BlockEntry(f"{sid}-p1", "paragraph", f"Opening words of {title}. More words follow."),
        BlockEntry(f"{sid}-h1", "heading", f"Details of {title}", 3),
        BlockEntry(f"{sid}-p2", "paragraph", "The end."),
    )
    sentences = (
        SentenceTiming(title, sid, 0.0, 1.0),
        SentenceTiming(f"Opening words of {title}.", f"{sid}-p1", 1.5, 3.0),
        SentenceTiming(f"Details of {title}", f"{sid}-h1", 20.25, 21.0),
        SentenceTiming("The end.", f"{sid}-p2", 40.0, duration - 0.5),
    )
    audio = AudioFile(f"a/{number:02d}-{sid}-0123456789ab.mp3", 10_000 * number, duration, "")
    return SectionEntry(sid, number, title, audio, blocks, sentences, start)


def manifest(
    slug: str = "alpha",
    title: str = "Alpha Article",
    titles: Sequence[str] = ("First Part", "Second Part", "Third Part"),
    date: dt.date | None = dt.date(2023, 4, 27),
    full: bool = True,
    cover: str = "",
    description: str = "",
) -> Manifest:
    sections, cursor = [], 0.0
    for n, t in enumerate(titles, 1):
        sections.append(section(n, t, round(cursor, 3)))
        cursor += 61.4
    whole = AudioFile(f"{slug}/{slug}-abcdef012345.mp3", 123_456, round(cursor, 3), "f" * 64)
    return Manifest(
        slug=slug,
        title=title,
        language="en",
        engine="piper",
        voice="joe (en_US, medium)",
        sections=tuple(sections),
        date=date,
        author="Ada Tester",
        description=description,
        full=whole if full else None,
        cover=cover,
    )

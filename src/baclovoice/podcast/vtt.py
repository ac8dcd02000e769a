"""WebVTT captions: one identified cue per spoken sentence, timed to the audio.

A cue's id is the sentence's element id on the player page (``bv-s<section>-<n>``),
so a read-along script can go from a cue to the words on the page and back. Pure.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from baclovoice.models import SectionEntry
from baclovoice.slugs import sentence_id

VTT_TYPE = "text/vtt"


def vtt_timestamp(seconds: float) -> str:
    """WebVTT cue time "hh:mm:ss.ttt"."""
    millis = max(0, round(seconds * 1000))
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


@dataclass(frozen=True)
class Cue:
    id: str
    start: float
    end: float
    text: str


def section_cues(section: SectionEntry, offset: float = 0.0) -> list[Cue]:
    """One cue per spoken sentence; ``offset`` shifts them into a longer recording."""
    return [
        Cue(sentence_id(section.number, i), offset + t.start, offset + max(t.end, t.start), t.text)
        for i, t in enumerate(section.sentences, start=1)
    ]


def _cue_text(text: str) -> str:
    """Escape what WebVTT would read as markup and keep each cue on one line."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return " ".join(escaped.split())


def build_vtt(cues: Iterable[Cue]) -> str:
    """A WebVTT file: the header, then one identified cue per sentence."""
    blocks = ["WEBVTT"]
    for cue in cues:
        timing = f"{vtt_timestamp(cue.start)} --> {vtt_timestamp(cue.end)}"
        blocks.append(f"{cue.id}\n{timing}\n{_cue_text(cue.text)}")
    return "\n\n".join(blocks) + "\n"

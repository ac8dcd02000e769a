"""EPUB 3 Media Overlays: one SMIL document per section, one ``<par>`` per sentence.

Pure. Each spoken sentence becomes a clip of its section's MP3 that points at the
element showing it: its sentence span (the same ``bv-s<section>-<index>`` id as the
player page and the WebVTT cues) or, for words spoken but not shown (an announcement
such as "Table, 3 rows."), the block they introduce. A clip begins where the manifest
says the sentence starts and lasts until the next sentence starts, so the pause after
a sentence is heard, as in the MP3, instead of being skipped by the reading system.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from lxml import etree

from baclovoice.errors import ManifestError
from baclovoice.models import SectionEntry
from baclovoice.slugs import sentence_id

SMIL_NS = "http://www.w3.org/ns/SMIL"
EPUB_NS = "http://www.idpf.org/2007/ops"
SMIL_TYPE = "application/smil+xml"


@dataclass(frozen=True)
class Clip:
    """A stretch of the section audio (seconds) and the element it reads."""

    target: str  # element id inside the section's content document
    begin: float
    end: float

    @property
    def duration(self) -> float:
        return self.end - self.begin


def section_clips(section: SectionEntry, present: Collection[str]) -> tuple[Clip, ...]:
    """One clip per sentence, in spoken order, targeting an id in ``present``.

    ``present`` is the set of ids the section's content document has; a manifest
    whose sentence points at nothing there is refused rather than made into a book
    whose highlight jumps nowhere.
    """
    sentences = section.sentences
    ends = [t.start for t in sentences[1:]] + [section.audio.duration]
    clips = []
    for index, (timing, end) in enumerate(zip(sentences, ends, strict=True), start=1):
        own = sentence_id(section.number, index)
        target = own if own in present else timing.element_id
        if target not in present:
            raise ManifestError(
                f"Section {section.number} ({section.title!r}) speaks {timing.text!r} "
                f"from element {timing.element_id!r}, which its text does not contain.",
                "Rebuild the article: baclovoice build --force",
            )
        clips.append(Clip(target, timing.start, max(end, timing.end)))
    return tuple(clips)


def overlay_duration(clips: Sequence[Clip]) -> float:
    """The overlay's playing time as the reading system adds it up, to the millisecond."""
    return round(sum(round(c.end, 3) - round(c.begin, 3) for c in clips), 3)


def clock_value(seconds: float) -> str:
    """A SMIL clock value, "0:01:02.345", as EPUB's ``media:duration`` wants it."""
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


def smil(clips: Sequence[Clip], text_href: str, audio_href: str) -> bytes:
    """The SMIL 3.0 document for one section (hrefs relative to the SMIL file)."""
    root = etree.Element(f"{{{SMIL_NS}}}smil", nsmap={None: SMIL_NS, "epub": EPUB_NS})
    root.set("version", "3.0")
    body = etree.SubElement(root, f"{{{SMIL_NS}}}body")
    seq = etree.SubElement(body, f"{{{SMIL_NS}}}seq", id="seq-1")
    seq.set(f"{{{EPUB_NS}}}textref", text_href)
    for number, clip in enumerate(clips, start=1):
        par = etree.SubElement(seq, f"{{{SMIL_NS}}}par", id=f"par-{number}")
        etree.SubElement(par, f"{{{SMIL_NS}}}text", src=f"{text_href}#{clip.target}")
        etree.SubElement(
            par,
            f"{{{SMIL_NS}}}audio",
            src=audio_href,
            clipBegin=f"{clip.begin:.3f}s",
            clipEnd=f"{clip.end:.3f}s",
        )
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)

"""Pure dataclasses passed between the pipeline stages.

``Article`` is what the parser reads from HTML; ``Utterance`` is one spoken
sentence; ``Manifest`` is what a build publishes and the only thing the web
layer and feeds read. Nothing here does I/O.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

MANIFEST_VERSION = 1

# Kinds of readable blocks. Announcements are spoken, never displayed.
BLOCK_KINDS = (
    "paragraph",  # <p> and loose text
    "heading",  # <h3>..<h6> inside a section (level says which)
    "list-item",  # <li>
    "quote",  # <blockquote> paragraph
    "image",  # <img alt>, text "Image: <alt>"
    "caption",  # <figcaption>
    "table-row",  # one <tr>, cells joined
    "code",  # <pre>
)


# --- Article model (parse output) -------------------------------------------------


@dataclass(frozen=True)
class Block:
    """One readable element: its stable element id, kind and display text."""

    id: str
    kind: str
    text: str
    level: int = 0  # heading level for kind == "heading"
    announce: str = ""  # spoken before the text, e.g. "Quotation." or "Table, 3 rows."


@dataclass(frozen=True)
class Section:
    """A part of the article that starts at a section heading."""

    id: str  # slug of the heading, unique within the article
    title: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Article:
    slug: str
    title: str
    sections: tuple[Section, ...]
    date: dt.date | None = None
    author: str = ""
    language: str = "en"
    description: str = ""
    source_url: str = ""  # the original article on the web (its canonical URL), if known
    site_name: str = ""


# --- Narration script (speech stage output) ---------------------------------------


@dataclass(frozen=True)
class Utterance:
    """One sentence to speak: what is shown, what is said, where it came from."""

    text: str  # display text, as on the page
    speech: str  # normalized text handed to the engine
    element_id: str  # id of the source element (block, heading, title)
    pause_after: float  # seconds of silence after it


# --- Manifest (build output, web input) -------------------------------------------


@dataclass(frozen=True)
class AudioFile:
    """A published, content-addressed file inside the audio folder (MP3, EPUB or M4B)."""

    file: str  # path relative to the audio folder, posix separators
    bytes: int
    duration: float  # seconds, from sample counts
    sha256: str


# The audio of a section that is still being narrated (see ``SectionEntry.ready``).
NOT_READY = AudioFile(file="", bytes=0, duration=0.0, sha256="")

# Manifest statuses: a finished article, or one whose narration is still being built.
COMPLETE = "complete"
BUILDING = "building"


@dataclass(frozen=True)
class SentenceTiming:
    text: str
    element_id: str
    start: float  # seconds inside the section audio
    end: float


@dataclass(frozen=True)
class BlockEntry:
    """A block as the page shows it (the transcript), in reading order."""

    id: str
    kind: str
    text: str
    level: int = 0


@dataclass(frozen=True)
class SectionEntry:
    id: str
    number: int  # 1-based
    title: str
    audio: AudioFile
    blocks: tuple[BlockEntry, ...]
    sentences: tuple[SentenceTiming, ...]
    start: float = 0.0  # offset of this section inside the full-article audio

    @property
    def ready(self) -> bool:
        """False while the section is being narrated: no audio yet, timings all zero."""
        return bool(self.audio.file)


@dataclass(frozen=True)
class Manifest:
    slug: str
    title: str
    language: str
    engine: str  # engine name, e.g. "piper"
    voice: str  # human-readable voice name, e.g. "joe (en_US, medium)"
    sections: tuple[SectionEntry, ...]
    date: dt.date | None = None
    author: str = ""
    description: str = ""
    full: AudioFile | None = None  # whole article with ID3 chapters
    cover: str = ""  # cover art file relative to the audio folder, "" if none
    sentence_keys: tuple[str, ...] = ()  # cache keys of every sentence (gc keeps these)
    epub: AudioFile | None = None  # read-along book (EPUB 3 with Media Overlays)
    m4b: AudioFile | None = None  # audiobook (AAC, chapters)
    version: int = MANIFEST_VERSION
    source_url: str = ""  # the original article on the web; "" for manifests before it
    extra: dict[str, Any] = field(default_factory=dict)
    # BUILDING while sections are still being narrated; such a manifest is saved apart
    # (manifest.save_building), so feeds and downloads keep the last complete one.
    status: str = COMPLETE

    @property
    def duration(self) -> float:
        return round(sum(s.audio.duration for s in self.sections), 3)

    @property
    def complete(self) -> bool:
        return self.status == COMPLETE

    @property
    def audio_files(self) -> tuple[AudioFile, ...]:
        files = [s.audio for s in self.sections if s.ready]
        return tuple(files + ([self.full] if self.full else []))

    @property
    def published_files(self) -> tuple[str, ...]:
        """Every file the manifest serves, relative to the audio folder (gc keeps these)."""
        downloads = [f.file for f in (self.epub, self.m4b) if f]
        covers = [self.cover] if self.cover else []
        return tuple([f.file for f in self.audio_files] + downloads + covers)

    def section(self, number: int) -> SectionEntry | None:
        if 1 <= number <= len(self.sections):
            return self.sections[number - 1]
        return None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["date"] = self.date.isoformat() if self.date else None
        data["duration"] = self.duration
        if self.complete:
            del data["status"]  # complete manifests read exactly as before the field existed
        for section, entry in zip(data["sections"], self.sections, strict=True):
            if not entry.ready:
                section["audio"] = None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Manifest:
        """Rebuild a manifest; raises KeyError/TypeError/ValueError on a bad shape."""
        sections = tuple(
            SectionEntry(
                id=s["id"],
                number=int(s["number"]),
                title=s["title"],
                audio=AudioFile(**s["audio"]) if s["audio"] is not None else NOT_READY,
                blocks=tuple(BlockEntry(**b) for b in s["blocks"]),
                sentences=tuple(SentenceTiming(**t) for t in s["sentences"]),
                start=float(s.get("start", 0.0)),
            )
            for s in data["sections"]
        )
        full, epub, m4b = data.get("full"), data.get("epub"), data.get("m4b")
        return cls(
            slug=data["slug"],
            title=data["title"],
            language=data["language"],
            engine=data["engine"],
            voice=data["voice"],
            sections=sections,
            date=dt.date.fromisoformat(data["date"]) if data.get("date") else None,
            author=data.get("author", ""),
            description=data.get("description", ""),
            full=AudioFile(**full) if full else None,
            cover=data.get("cover", ""),
            # Manifests written before this field kept the keys under "extra".
            sentence_keys=tuple(
                data.get("sentence_keys", data.get("extra", {}).get("sentence_keys", ()))
            ),
            epub=AudioFile(**epub) if epub else None,
            m4b=AudioFile(**m4b) if m4b else None,
            version=int(data.get("version", MANIFEST_VERSION)),
            source_url=str(data.get("source_url") or ""),
            extra={k: v for k, v in data.get("extra", {}).items() if k != "sentence_keys"},
            status=_status(data.get("status", COMPLETE)),
        )


def _status(value: Any) -> str:
    if value not in (COMPLETE, BUILDING):
        raise ValueError(f"unknown manifest status {value!r}")
    return str(value)

"""The audiobook: the whole article as AAC in an M4B, with a chapter per section.

Audiobook players (BookPlayer, Voice, Smart AudioBook Player, Apple Books) list the
chapters, show the cover and remember the place. The whole-article MP3 is encoded
once by the bundled ffmpeg (native AAC-LC, mono): it is already joined gaplessly, so
the chapters start exactly where the MP3's do, and the lengths agree to a frame.
22.05 kHz is the voices' own rate (Piper's); nothing above 11 kHz is lost.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from baclovoice.audio import Chapter, Ffmpeg
from baclovoice.errors import AudioError
from baclovoice.models import Manifest

AAC_BITRATE_KBPS = 48  # AAC-LC at 48 kbit/s mono sounds like the 64 kbit/s MP3 on speech
AAC_SAMPLE_RATE = 22050


@dataclass(frozen=True)
class BookTags:
    title: str
    author: str
    album: str
    year: str = ""
    comment: str = ""
    genre: str = "Audiobook"


def tags_of(manifest: Manifest) -> BookTags:
    return BookTags(
        title=manifest.title,
        author=manifest.author or "baclovoice",
        album=manifest.title,
        year=str(manifest.date.year) if manifest.date else "",
        comment=f"Narrated by a synthetic voice: {manifest.voice} ({manifest.engine}).",
    )


def chapters_of(manifest: Manifest) -> tuple[Chapter, ...]:
    """A chapter per section at its place in the whole-article MP3 (``SectionEntry.start``)."""
    if manifest.full is None:
        raise AudioError(
            f"The article {manifest.slug!r} has no whole-article MP3 to make an audiobook of.",
            f"Rebuild it: baclovoice build {manifest.slug}",
        )
    starts = [s.start for s in manifest.sections]
    ends = [*starts[1:], manifest.full.duration]
    return tuple(
        Chapter(start, end, s.title)
        for s, start, end in zip(manifest.sections, starts, ends, strict=True)
    )


def _escape(value: str) -> str:
    """FFMETADATA escapes '=', ';', '#', '\\' and newlines with a backslash."""
    for char in ("\\", "=", ";", "#", "\n"):
        value = value.replace(char, "\\" + char)
    return value


def ffmetadata(tags: BookTags, chapters: Sequence[Chapter]) -> str:
    """ffmpeg's metadata file: global tags, then one [CHAPTER] block per chapter (ms)."""
    lines = [";FFMETADATA1"]
    fields = {
        "title": tags.title,
        "artist": tags.author,
        "album_artist": tags.author,
        "album": tags.album,
        "date": tags.year,
        "genre": tags.genre,
        "comment": tags.comment,
    }
    lines += [f"{key}={_escape(value)}" for key, value in fields.items() if value]
    for chapter in chapters:
        lines += [
            "[CHAPTER]",
            "TIMEBASE=1/1000",
            f"START={round(chapter.start * 1000)}",
            f"END={round(chapter.end * 1000)}",
            f"title={_escape(chapter.title)}",
        ]
    return "\n".join(lines) + "\n"


def build_m4b(
    source: Path,
    tags: BookTags,
    chapters: Sequence[Chapter],
    cover_png: bytes = b"",
    *,
    ffmpeg: Ffmpeg,
    bitrate_kbps: int = AAC_BITRATE_KBPS,
) -> bytes:
    """Encode ``source`` (any audio ffmpeg reads) into an M4B with chapters, tags and cover.

    Written to a private temporary folder because the MP4 muxer seeks back to put the
    index first (``+faststart``: players start before the whole file has arrived).
    """
    with tempfile.TemporaryDirectory(prefix="baclovoice-") as folder:
        meta = Path(folder) / "metadata.txt"
        meta.write_text(ffmetadata(tags, chapters), encoding="utf-8")
        out = Path(folder) / "book.m4b"
        args = ["-i", str(source), "-f", "ffmetadata", "-i", str(meta)]
        maps = ["-map", "0:a", "-map_metadata", "1", "-map_chapters", "1"]
        if cover_png:
            cover = Path(folder) / "cover.png"
            cover.write_bytes(cover_png)
            args += ["-i", str(cover)]
            maps += ["-map", "2:v", "-c:v", "copy", "-disposition:v", "attached_pic"]
        encode = ["-c:a", "aac", "-b:a", f"{bitrate_kbps}k", "-ar", str(AAC_SAMPLE_RATE)]
        encode += ["-ac", "1", "-metadata", "media_type=2", "-brand", "M4B "]
        encode += ["-movflags", "+faststart", "-fflags", "+bitexact", "-f", "ipod", "-y"]
        ffmpeg.run([*args, *maps, *encode, str(out)])
        return out.read_bytes()

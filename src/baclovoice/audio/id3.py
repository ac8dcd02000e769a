"""ID3v2.3 tags: title, album, artist, track, comment, cover art and chapters (CTOC + CHAP)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from mutagen.id3 import (
    APIC,
    CHAP,
    COMM,
    CTOC,
    ID3,
    TALB,
    TIT2,
    TPE1,
    TRCK,
    WXXX,
    CTOCFlags,
    PictureType,
)

from baclovoice.errors import AudioError

DEFAULT_COMMENT = "Narrated by a synthetic (text-to-speech) voice."
# A CTOC frame counts its children in one byte: more chapters need nested tables.
CTOC_MAX_CHILDREN = 255


@dataclass(frozen=True)
class Chapter:
    """A chapter mark in seconds; ``url`` links it to its place on the web page."""

    start: float
    end: float
    title: str
    url: str = ""


@dataclass(frozen=True)
class Tags:
    title: str
    album: str
    artist: str
    track: int = 0
    track_total: int = 0
    comment: str = ""  # empty = DEFAULT_COMMENT: a listener must learn the voice is synthetic
    chapters: tuple[Chapter, ...] = ()
    cover_png: bytes = b""


def tagged(mp3: bytes, tags: Tags) -> bytes:
    stream = io.BytesIO(mp3)
    _id3(tags).save(stream, v2_version=3)
    return _chapters_in_time_order(stream.getvalue())


def _chapters_in_time_order(data: bytes) -> bytes:
    """Rewrite the ID3v2.3 tag with its CHAP frames in start-time order.

    mutagen orders frames by size, and players that list chapters in file order
    (ffprobe, ffmpeg-based apps) would show them shuffled; the CTOC's order alone
    is not enough for them. Only frame order changes; sizes and bytes stay.
    """
    end = 10 + _syncsafe(data[6:10])
    frames, at = [], 10
    while at + 10 <= end and data[at : at + 4].strip(b"\0"):
        size = int.from_bytes(data[at + 4 : at + 8], "big")
        frames.append(data[at : at + 10 + size])
        at += 10 + size
    chaps = [i for i, f in enumerate(frames) if f[:4] == b"CHAP"]

    def start_ms(frame: bytes) -> int:
        body = frame[10:]
        cut = body.index(b"\0") + 1  # element id, null-terminated
        return int.from_bytes(body[cut : cut + 4], "big")

    for index, frame in zip(chaps, sorted((frames[i] for i in chaps), key=start_ms), strict=True):
        frames[index] = frame
    return data[:10] + b"".join(frames) + data[at:]


def _syncsafe(four: bytes) -> int:
    size = 0
    for byte in four:  # 7 bits per byte
        size = (size << 7) | (byte & 0x7F)
    return size


def _id3(tags: Tags) -> ID3:
    id3 = ID3()
    id3.add(TIT2(encoding=3, text=[tags.title]))
    id3.add(TALB(encoding=3, text=[tags.album]))
    id3.add(TPE1(encoding=3, text=[tags.artist]))
    if tags.track > 0:
        number = f"{tags.track}/{tags.track_total}" if tags.track_total else str(tags.track)
        id3.add(TRCK(encoding=3, text=[number]))
    id3.add(COMM(encoding=3, lang="eng", desc="", text=[tags.comment or DEFAULT_COMMENT]))
    if tags.cover_png:
        cover = PictureType.COVER_FRONT
        id3.add(APIC(encoding=3, mime="image/png", type=cover, desc="Cover", data=tags.cover_png))
    if tags.chapters:
        for frame in _chapter_frames(tags.chapters):
            id3.add(frame)
    return id3


def _chapter_frames(chapters: Sequence[Chapter]) -> list[Any]:
    """An ordered top-level CTOC and one CHAP per chapter (times in ms).

    Up to 255 chapters the top CTOC lists them; beyond, it lists ordered child
    CTOCs of up to 255 chapters each (ID3v2 Chapter Frame Addendum, nesting).
    """
    frames: list[Any] = []
    previous_end = 0.0
    for index, chapter in enumerate(chapters):
        if not 0 <= chapter.start < chapter.end or chapter.start < previous_end - 1e-6:
            raise AudioError(
                f"Chapter {index + 1} ({chapter.title!r}) spans {chapter.start}-{chapter.end} s.",
                "Chapters must be in order, non-overlapping, and end after they start.",
            )
        previous_end = chapter.end
        sub: list[Any] = [TIT2(encoding=3, text=[chapter.title])]
        if chapter.url:
            sub.append(WXXX(encoding=3, desc="", url=chapter.url))
        start, end = round(chapter.start * 1000), round(chapter.end * 1000)
        frames.append(
            CHAP(element_id=f"chp{index}", start_time=start, end_time=end, sub_frames=sub)
        )
    ids = [f"chp{index}" for index in range(len(chapters))]
    if len(ids) <= CTOC_MAX_CHILDREN:
        return [_toc("toc", ids, top=True), *frames]
    groups = [ids[at : at + CTOC_MAX_CHILDREN] for at in range(0, len(ids), CTOC_MAX_CHILDREN)]
    if len(groups) > CTOC_MAX_CHILDREN:
        raise AudioError(
            f"{len(chapters)} chapters do not fit in an ID3 table of contents.",
            f"Split the article: at most {CTOC_MAX_CHILDREN**2} sections are supported.",
        )
    parts = [_toc(f"toc{n}", group, top=False) for n, group in enumerate(groups, start=1)]
    top = _toc("toc", [part.element_id for part in parts], top=True)
    return [top, *parts, *frames]


def _toc(element_id: str, children: list[str], *, top: bool) -> Any:
    flags = CTOCFlags.ORDERED | (CTOCFlags.TOP_LEVEL if top else 0)
    return CTOC(element_id=element_id, flags=flags, child_element_ids=children, sub_frames=[])

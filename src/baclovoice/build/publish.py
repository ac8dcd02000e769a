"""The publish stage: cached sentences in, content-addressed MP3s, cover and manifest out.

Public functions over an :class:`~baclovoice.build.store.AudioStore`, called alike by
the build, by tests and by anything else that has a :class:`~baclovoice.build.plan.Plan`
whose sentences are cached. Every published file name carries a hash of all that
went into it, so an unchanged section is found on disk and not rendered again, and
the bytes behind a URL never change.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import logging
import uuid
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from baclovoice import audio, formats, manifest, paths
from baclovoice.build.artwork import render_cover
from baclovoice.build.plan import Plan
from baclovoice.build.store import LIBRARY_COVER, PUBLISH_VERSION, AudioStore, digest
from baclovoice.engines import Engine
from baclovoice.errors import AudioError, BaclovoiceError
from baclovoice.models import (
    Article,
    AudioFile,
    BlockEntry,
    Manifest,
    SectionEntry,
    SentenceTiming,
)
from baclovoice.settings import DOWNLOAD_FORMATS, Settings

log = logging.getLogger(__name__)

LIBRARY_TITLE = "baclovoice"
LIBRARY_SUBTITLE = "Articles read aloud"
ARTWORK_VERSION = 1
EPUB_VERSION = 1  # bump when the read-along book's markup or packaging changes
M4B_VERSION = 1  # bump when the audiobook's encoding or tagging changes


@dataclass(frozen=True)
class Publisher:
    """Where and how to publish: the store, encoding settings and the voice to credit."""

    store: AudioStore
    engine: str  # engine name, e.g. "piper"
    voice: str  # human-readable voice name
    bitrate: int = 64
    base_url: str = ""
    ffmpeg: audio.Ffmpeg = audio.BUNDLED
    force: bool = False  # render every file again, even when an intact one exists
    threads: int = 2  # sections rendered at once
    formats: tuple[str, ...] = DOWNLOAD_FORMATS  # downloads built beside the MP3s

    @classmethod
    def for_settings(cls, settings: Settings, engine: Engine, *, force: bool = False) -> Publisher:
        return cls(
            store=AudioStore(settings.audio_dir),
            engine=engine.name,
            voice=engine.voice,
            bitrate=settings.bitrate,
            base_url=settings.base_url,
            ffmpeg=audio.Ffmpeg(settings.ffmpeg).checked(),
            force=force,
            threads=settings.workers,
            formats=settings.format_names,
        )

    def tags(self, article: Article, title: str, track: int = 0) -> audio.Tags:
        return audio.Tags(
            title=title,
            album=article.title,
            artist=article.author or "baclovoice",
            track=track,
            track_total=len(article.sections) if track else 0,
            comment=f"Narrated by a synthetic voice: {self.voice} ({self.engine}).",
        )

    def existing(self, expected: AudioFile | None, relative: str) -> AudioFile | None:
        """The previously published file when it is still intact (and not forced)."""
        return None if self.force else self.store.verified(expected, relative)


# --- sections ----------------------------------------------------------------------


def timeline(
    store: AudioStore, keys: Sequence[str], pauses: Sequence[float]
) -> tuple[list[tuple[float, float]], float, list[str]]:
    """Sentence (start, end) seconds, total seconds and content digests of cached sentences.

    The digests go into the section key: synthesis is not deterministic, so a
    sentence re-synthesized after damage sounds (and lasts) differently under the
    same sentence key, and its section must be rebuilt to match the new timings.
    """
    spans: list[tuple[float, float]] = []
    digests: list[str] = []
    cursor, rate = 0, 1
    for key, pause in zip(keys, pauses, strict=True):
        info = store.sentence_info(key)
        if info is None:
            raise AudioError(f"Cached sentence {key} vanished during the build.", "Build again.")
        frames, rate = info
        spans.append((cursor / rate, (cursor + frames) / rate))
        digests.append(store.sentence_digest(key))
        cursor += frames + len(audio.silence(pause, rate))
    return spans, cursor / rate, digests


def publish_section(
    pub: Publisher, plan: Plan, index: int, previous: Manifest | None = None
) -> SectionEntry:
    """Section ``index`` (0-based) as a mastered MP3 plus its manifest entry.

    Every sentence must be cached. An intact file from ``previous`` with the same
    content key is reused as is.
    """
    article, script, keys = plan.article, plan.scripts[index], plan.keys[index]
    section, number = script.section, index + 1
    pauses = [u.pause_after for u in script.utterances]
    spans, duration, digests = timeline(pub.store, keys, pauses)
    tags = pub.tags(article, section.title, number)
    key = digest(
        {
            "v": PUBLISH_VERSION,
            "parts": list(zip(digests, pauses, strict=True)),
            "bitrate": pub.bitrate,
            "tags": repr(tags),
        }
    )
    relative = pub.store.section_name(article.slug, number, section.id, key)
    old = previous.section(number) if previous else None
    published = pub.existing(old.audio if old else None, relative)
    if published is None:
        published = _render(pub, keys, pauses, tags, relative, round(duration, 3))
    return SectionEntry(
        id=section.id,
        number=number,
        title=section.title,
        audio=published,
        blocks=tuple(BlockEntry(b.id, b.kind, b.text, b.level) for b in section.blocks),
        sentences=tuple(
            SentenceTiming(u.text, u.element_id, round(s, 3), round(e, 3))
            for u, (s, e) in zip(script.utterances, spans, strict=True)
        ),
    )


def _render(
    pub: Publisher,
    keys: Sequence[str],
    pauses: Sequence[float],
    tags: audio.Tags,
    relative: str,
    duration: float,
) -> AudioFile:
    mastered = audio.master(_section_audio(pub.store, keys, pauses))
    data = audio.encode_mp3(mastered, bitrate_kbps=pub.bitrate, tags=tags, ffmpeg=pub.ffmpeg)
    return pub.store.publish(relative, data, duration)


def _section_audio(store: AudioStore, keys: Sequence[str], pauses: Sequence[float]) -> audio.Pcm:
    """The section's cached sentences joined with their pauses. A function of its own so
    that the sentences are freed once joined, and the joined audio once mastered (a
    20-minute section is 50 MB at 22 kHz, 100 MB mastered)."""
    parts = [(audio.read_wav(store.read_sentence(k)), p) for k, p in zip(keys, pauses, strict=True)]
    return audio.assemble(parts)[0]


# --- the whole article ---------------------------------------------------------------


def publish_full(
    pub: Publisher,
    article: Article,
    sections: Sequence[SectionEntry],
    cover_png: bytes,
    previous: Manifest | None = None,
) -> tuple[AudioFile, list[SectionEntry]]:
    """The whole article in one MP3 with an ID3 chapter per section (for podcast apps).

    It joins the section MP3s without re-encoding, so it costs a fraction of a second
    and sounds exactly like them; the sections come back with their offsets inside it.
    """
    files = [pub.store.path(s.audio.file) for s in sections]
    starts = audio.part_starts(files)
    placed = [
        dataclasses.replace(s, start=round(t, 3)) for s, t in zip(sections, starts, strict=True)
    ]
    ends = [*starts[1:], starts[-1] + sections[-1].audio.duration]
    chapters = tuple(
        audio.Chapter(
            start=t,
            end=end,
            title=s.title,
            url=paths.section_link(pub.base_url, article.slug, s.id),
        )
        for s, t, end in zip(sections, starts, ends, strict=True)
    )
    tags = dataclasses.replace(
        pub.tags(article, article.title), chapters=chapters, cover_png=cover_png
    )
    key = digest(
        {
            "v": PUBLISH_VERSION,
            "sections": [s.audio.sha256 for s in sections],
            "tags": repr(dataclasses.replace(tags, cover_png=b"")),
            "cover": hashlib.sha256(cover_png).hexdigest(),
        }
    )
    relative = pub.store.full_name(article.slug, key)
    published = pub.existing(previous.full if previous else None, relative)
    if published is None:
        data = audio.concat_mp3(files, tags=tags, ffmpeg=pub.ffmpeg)
        published = pub.store.publish(relative, data, round(ends[-1], 3))
    return published, placed


def publish_cover(store: AudioStore, article: Article) -> tuple[str, bytes]:
    """A content-addressed cover PNG, rendered only when its title changes."""
    key = digest({"v": ARTWORK_VERSION, "title": article.title, "subtitle": article.author})
    relative = store.cover_name(article.slug, key)
    png = store.read(relative)
    if png is None:
        png = render_cover(article.title, article.author)
        store.publish(relative, png, 0.0)
    return relative, png


def publish_library_cover(store: AudioStore) -> None:
    """The library feed's cover, at the stable name the web app serves."""
    if not store.path(LIBRARY_COVER).is_file():
        store.publish(LIBRARY_COVER, render_cover(LIBRARY_TITLE, LIBRARY_SUBTITLE), 0.0)


# --- downloads: the read-along book and the audiobook -------------------------------


def book_identifier(base_url: str, slug: str) -> str:
    """The book's stable identifier: the same article on the same site keeps it."""
    page = (base_url.rstrip("/") or "baclovoice:") + paths.PLAYER.path(slug=slug)
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, page)}"


def publish_epub(
    pub: Publisher, m: Manifest, cover_png: bytes, previous: Manifest | None = None
) -> AudioFile:
    """The read-along book (EPUB 3 with Media Overlays), rebuilt only when what it shows
    or plays changes: its key covers the text, timings, section MP3s and cover."""
    shown = {k: v for k, v in m.to_dict().items() if k not in _NOT_IN_BOOK}
    identifier = book_identifier(pub.base_url, m.slug)
    key = digest(
        {
            "v": EPUB_VERSION,
            "manifest": shown,
            "cover": hashlib.sha256(cover_png).hexdigest(),
            "identifier": identifier,
        }
    )
    relative = pub.store.epub_name(m.slug, key)
    published = pub.existing(previous.epub if previous else None, relative)
    if published is None:
        # The edition's date comes from what it holds, so the same key always gives the
        # same bytes (a forced rebuild must not change a file behind its URL).
        info = formats.BookInfo(identifier, modified=_edition_time(m))
        data = formats.build_epub(m, _reader(pub.store), info)
        published = pub.store.publish(relative, data, m.duration)
    return published


def _edition_time(m: Manifest) -> dt.datetime:
    """dcterms:modified: noon UTC of the article's date (a fixed day when it has none)."""
    return dt.datetime.combine(m.date or dt.date(2000, 1, 1), dt.time(12, tzinfo=dt.UTC))


_NOT_IN_BOOK = {"full", "epub", "m4b", "sentence_keys", "extra", "version", "duration"}


def _reader(store: AudioStore) -> formats.epub.Reader:
    def read(relative: str) -> bytes:
        data = store.read(relative)
        if data is None:
            raise AudioError(
                f"The published file {relative} vanished during the build.", "Build again."
            )
        return data

    return read


def publish_m4b(
    pub: Publisher, m: Manifest, cover_png: bytes, previous: Manifest | None = None
) -> AudioFile | None:
    """The audiobook (AAC, a chapter per section), encoded from the whole-article MP3 only
    when that MP3, the chapters, the tags or the cover change. None without that MP3."""
    if m.full is None:
        return None
    chapters, tags = formats.chapters_of(m), formats.tags_of(m)
    key = digest(
        {
            "v": M4B_VERSION,
            "full": m.full.sha256,
            "chapters": [(c.title, round(c.start, 3), round(c.end, 3)) for c in chapters],
            "tags": repr(tags),
            "cover": hashlib.sha256(cover_png).hexdigest(),
        }
    )
    relative = pub.store.m4b_name(m.slug, key)
    published = pub.existing(previous.m4b if previous else None, relative)
    if published is None:
        source = pub.store.path(m.full.file)
        data = formats.build_m4b(source, tags, chapters, cover_png, ffmpeg=pub.ffmpeg)
        published = pub.store.publish(relative, data, m.full.duration)
    return published


def publish_downloads(
    pub: Publisher, m: Manifest, cover_png: bytes, previous: Manifest | None = None
) -> Manifest:
    """``m`` with the downloads ``pub.formats`` asks for; the audiobook's ffmpeg run and
    the book's packing overlap."""
    builders = {"epub": publish_epub, "m4b": publish_m4b}
    with ThreadPoolExecutor(2) as pool:
        futures = {
            name: pool.submit(builders[name], pub, m, cover_png, previous) for name in pub.formats
        }
        done = {name: future.result() for name, future in futures.items()}
    return dataclasses.replace(m, epub=done.get("epub"), m4b=done.get("m4b"))


# --- the article ---------------------------------------------------------------------


def publish_article(
    pub: Publisher,
    plan: Plan,
    previous: Manifest | None = None,
    *,
    sections: Mapping[int, SectionEntry] | None = None,
) -> Manifest:
    """Every section, the cover, the whole-article MP3 and the downloads of a fully
    cached plan.

    ``sections`` are entries already made by ``publish_section`` (by index), e.g. while
    the rest of the article was still being synthesized; the others are made here.
    Returns the new manifest without saving it (see ``save_manifest``).
    """
    article, ready = plan.article, dict(sections or {})
    cover, cover_png = publish_cover(pub.store, article)
    todo = [i for i in range(len(plan.scripts)) if i not in ready]
    with ThreadPoolExecutor(max(1, min(pub.threads, len(todo)))) as pool:
        made = pool.map(lambda i: publish_section(pub, plan, i, previous), todo)
        ready.update(zip(todo, made, strict=True))
    drafts = [ready[i] for i in range(len(plan.scripts))]
    full, placed = publish_full(pub, article, drafts, cover_png, previous)
    published = article_manifest(pub, plan, placed, cover, full=full)
    return publish_downloads(pub, published, cover_png, previous)


def article_manifest(
    pub: Publisher, plan: Plan, sections: Sequence[SectionEntry], cover: str, **fields: Any
) -> Manifest:
    """What every version of an article's manifest says, complete or in progress."""
    article = plan.article
    return Manifest(
        slug=article.slug,
        title=article.title,
        language=article.language,
        engine=pub.engine,
        voice=pub.voice,
        sections=tuple(sections),
        date=article.date,
        author=article.author,
        description=article.description,
        cover=cover,
        sentence_keys=plan.sentence_keys,
        source_url=article.source_url,
        **fields,
    )


def previous_manifest(store: AudioStore, slug: str) -> Manifest | None:
    """The article's current manifest, or None when there is none or it is unreadable
    (a corrupt manifest is rebuilt, not fatal)."""
    if not manifest.manifest_path(store.root, slug).exists():
        return None
    try:
        return manifest.load(store.root, slug)
    except BaclovoiceError as exc:
        log.warning("Rebuilding the unreadable manifest for %s: %s", slug, exc.message)
        return None


def save_manifest(store: AudioStore, new: Manifest, previous: Manifest | None) -> bool:
    """Write ``new`` unless it equals ``previous``; True when it was written."""
    if previous is not None and manifest.dumps(previous) == manifest.dumps(new):
        return False
    manifest.save(store.root, new)
    return True

"""Adding, replacing and removing articles for the ingestion API and the "Add" page.

A small dispatch by source kind around the ingest stage's converters: each kind
turns its text into one clean HTML document, which is parsed before it is stored
(so a stored article always loads), with the messages and hints ``baclovoice
import`` gives. The ingest stage is imported only when an article arrives, so the
web server starts without the HTML parser.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from baclovoice import manifest
from baclovoice.build.store import AudioStore
from baclovoice.errors import (
    BaclovoiceError,
    Conflict,
    InputError,
    NotFound,
    TooLarge,
)
from baclovoice.service.jobs import Ending, JobStore
from baclovoice.service.locks import article_locks
from baclovoice.settings import Settings
from baclovoice.slugs import validate_slug

log = logging.getLogger(__name__)

TEXT_KINDS = ("html", "markdown", "text")  # the JSON fields that carry an article
URL_KIND = "url"
KINDS = (URL_KIND, *TEXT_KINDS)


@dataclass(frozen=True)
class Source:
    """An article as it arrived: its kind, its text (or address) and how to name it."""

    kind: str  # one of KINDS
    text: str
    label: str  # for messages: "the uploaded file notes.md", "the 'markdown' field"
    filename: str = ""  # an upload's file name: the slug's last resort


def upload_source(filename: str, data: bytes) -> Source:
    """A file upload: its kind from its suffix and UTF-8 text, as ``import`` reads files."""
    from baclovoice.ingest.convert import SUFFIXES

    name = Path(filename or "article").name
    label = f"the uploaded file {name}"
    kind = SUFFIXES.get(Path(name).suffix.lower())
    if kind is None:
        raise InputError(
            f"Cannot import {label}: unknown file type {Path(name).suffix or '(none)'!r}.",
            f"Use one of {', '.join(sorted(SUFFIXES))}, or rename the file if its "
            "content is one of those formats.",
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(
            f"{label} is not valid UTF-8: byte 0x{data[err.start]:02x} at byte offset "
            f"{err.start} cannot be decoded.",
            f"Save {name} with UTF-8 encoding (in most editors: Save As… > "
            "Encoding: UTF-8) and try again.",
        ) from None
    return Source(kind, text, label, name)


def check_size(settings: Settings, size: int) -> None:
    if size > settings.api_max_bytes:
        raise TooLarge(
            f"The article is {size:,} bytes; the limit is {settings.api_max_bytes:,} bytes.",
            "Send a smaller article (leave out images and page furniture), or raise "
            "BACLOVOICE_API_MAX_BYTES on the server.",
        )


def prepare(settings: Settings, source: Source, slug: str | None) -> tuple[str, str]:
    """(clean HTML, slug) for ``source``, through the ingest stage ``import`` uses:
    InputError with the CLI's message and hint otherwise. A web address is fetched
    here, within the fetch timeout, so its errors are the request's answer."""
    from baclovoice.ingest.store import default_slug, prepare_article

    if slug is not None:
        validate_slug(slug)
    if source.kind not in KINDS:
        raise InputError(f"Unknown kind of article {source.kind!r}.", f"Use one of {KINDS}.")
    if source.kind == URL_KIND:
        return _fetched(settings, source.text, slug)
    check_size(settings, len(source.text.encode("utf-8")))
    prepared = prepare_article(
        source.text, source.kind, source.label, max_hours=settings.max_hours, slug=slug
    )
    return prepared.html, slug or default_slug(
        prepared.article.title, Path(source.filename or "article")
    )


def _fetched(settings: Settings, url: str, slug: str | None) -> tuple[str, str]:
    from baclovoice.ingest.fetch import FetchPolicy, fetch_page
    from baclovoice.ingest.store import default_slug, prepare_article, url_fallback_slug

    page = fetch_page(url, FetchPolicy.from_settings(settings))  # capped by max_page_mb
    prepared = prepare_article(
        page.html, "html", page.url, url=page.url, max_hours=settings.max_hours, slug=slug
    )
    check_size(settings, len(prepared.html.encode("utf-8")))  # the article, not the page
    return prepared.html, slug or default_slug(prepared.article.title, url_fallback_slug(page.url))


def article_path(settings: Settings, slug: str) -> Path:
    return settings.content_dir / f"{validate_slug(slug)}.html"


def digest_of(html: str) -> str:
    """The source digest the stored file will have (see ``jobs.source_digest``)."""
    return hashlib.sha256(html.encode("utf-8")).hexdigest()


def conflict(slug: str) -> Conflict:
    return Conflict(
        f"An article called {slug!r} already exists.",
        f"Choose another slug, or replace it: PUT /api/articles/{slug}",
    )


def missing(slug: str) -> NotFound:
    return NotFound(
        f"There is no article called {slug!r} to replace.",
        "Add it first: POST /api/articles",
    )


def create(settings: Settings, slug: str, html: str) -> None:
    """Store a new article; Conflict if one with that slug exists (checked atomically)."""
    target = article_path(settings, slug)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(html.encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.link(tmp, target)  # fails if the slug is taken: never replaces an article
    except FileExistsError:
        raise conflict(slug) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    log.info("Added the article %s", target)


def replace(settings: Settings, slug: str, html: str) -> None:
    """Store a new version of an existing article (only changed sentences are narrated)."""
    from baclovoice.fsutil import atomic_write_text

    target = article_path(settings, slug)
    if not target.is_file():
        raise missing(slug)
    atomic_write_text(target, html)
    log.info("Replaced the article %s", target)


def remove(settings: Settings, slug: str, jobs: JobStore) -> None:
    """Remove the article, its narration and the cached sentences no other article uses."""
    target = article_path(settings, slug)
    folder = settings.audio_dir / slug
    if not target.is_file() and not folder.is_dir():
        raise NotFound(f"There is no article called {slug!r}.", "List them: GET /api/articles")
    target.unlink(missing_ok=True)
    job = jobs.current(slug)
    if job is not None:
        jobs.end(job, Ending(False, time.time(), f"The article {slug!r} was removed."))
    jobs.forget(slug)
    locks = article_locks(settings.audio_dir)
    with locks.held(slug):
        freed = remove_audio(settings.audio_dir, slug)
    locks.forget(slug)
    log.info("Removed the article %s and %.1f MB of its audio", slug, freed / 1e6)


def _manifests(audio_dir: Path, slug: str) -> list[manifest.Manifest]:
    found = []
    for load in (manifest.load, manifest.load_building):
        with contextlib.suppress(BaclovoiceError):
            found.append(load(audio_dir, slug))
    return found


def remove_audio(audio_dir: Path, slug: str) -> int:
    """Delete ``audio/<slug>/`` and its sentences that no other article's manifest keeps."""
    store = AudioStore(audio_dir)
    mine = {k for m in _manifests(audio_dir, slug) for k in m.sentence_keys}
    others = set(manifest.built_slugs(audio_dir)) | set(manifest.building_slugs(audio_dir))
    for other in others - {slug}:
        for m in _manifests(audio_dir, other):
            mine -= set(m.sentence_keys)
    freed = store.remove(store.sentence_path(key) for key in sorted(mine))
    folder = audio_dir / slug
    if folder.is_dir():
        freed += sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
        shutil.rmtree(folder)
    return freed

"""The article store: ``content/<slug>.html``, one file per article.

The only module that reads or writes ``content/``: listing, reading (with clear
errors for missing, empty or undecodable files), loading an ``Article``, and
importing a converted source atomically.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from baclovoice.errors import ContentError, InputError, NotFound
from baclovoice.fsutil import atomic_write_text
from baclovoice.ingest.limits import check_length, check_size
from baclovoice.ingest.walker import parse_article
from baclovoice.models import Article
from baclovoice.slugs import SLUG_PATTERN, slugify, validate_slug

if TYPE_CHECKING:
    import requests

    from baclovoice.ingest.fetch import FetchPolicy

log = logging.getLogger(__name__)

MAX_DEFAULT_SLUG = 80


def article_slugs(content_dir: Path) -> list[str]:
    """Slugs of every ``content_dir/*.html``, sorted; invalid file names are logged, skipped."""
    if not content_dir.is_dir():
        return []
    slugs = []
    for path in content_dir.glob("*.html"):
        if path.name.startswith(".") or not path.is_file():
            continue
        if SLUG_PATTERN.fullmatch(path.stem):
            slugs.append(path.stem)
        else:
            log.warning(
                "Skipping %s: %r is not a valid slug; rename it to %s.html.",
                path,
                path.stem,
                slugify(path.stem) or "my-article",
            )
    return sorted(slugs)


def read_html(content_dir: Path, slug: str) -> str:
    """The HTML text of one article; NotFound lists the slugs that do exist."""
    path = content_dir / f"{slug}.html"
    if not SLUG_PATTERN.fullmatch(slug) or not path.is_file():
        known = article_slugs(content_dir)
        hint = (
            f"Known articles: {', '.join(known)}."
            if known
            else f"{content_dir} has no articles yet; import one (a .txt, .md or .html file)."
        )
        raise NotFound(f"No article {slug!r} in {content_dir}.", hint)
    return _decode(_read_bytes(path), path)


def load_article(
    content_dir: Path, slug: str, *, section_level: int = 2, read_images: bool = True
) -> Article:
    html = read_html(content_dir, slug)
    return parse_article(html, slug, section_level=section_level, read_images=read_images)


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as err:
        raise InputError(
            f"Cannot read {path}: {err.strerror or err}.",
            "Check that the file exists and that you may read it.",
        ) from None


def _decode(data: bytes, path: Path) -> str:
    """UTF-8 text (a byte order mark is allowed); InputError says where decoding failed."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(
            f"{path} is not valid UTF-8: byte 0x{data[err.start]:02x} at byte offset "
            f"{err.start} cannot be decoded.",
            f"Save {path.name} with UTF-8 encoding (in most editors: Save As… > "
            "Encoding: UTF-8) and try again.",
        ) from None


# --- importing -----------------------------------------------------------------------


@dataclass(frozen=True)
class Prepared:
    """A source converted to clean HTML, with the article it parses into."""

    html: str
    article: Article


def prepare_article(
    text: str,
    kind: str,
    where: str,
    *,
    url: str = "",
    max_hours: float = 0.0,
    slug: str | None = None,
) -> Prepared:
    """Source text of ``kind`` ("text", "markdown", "html") to a checked clean document.

    Pure: the import command, URL import and any other caller (an API) share it,
    and so give the same messages. ``where`` names the source in them.
    """
    # Imported here: the converters pull in trafilatura and Markdown, which building and
    # serving an article never need (half a second of every `build` start-up).
    from baclovoice.ingest.convert import CONVERTERS, TEXT_HINTS, clean_html

    if kind not in CONVERTERS:
        raise InputError(f"Unknown source kind {kind!r}.", f"Use one of {', '.join(CONVERTERS)}.")
    if not text.strip():
        raise InputError(
            f"{where} is empty.",
            "Put the article in it: the title on the first line, then the text.",
        )
    try:
        html = clean_html(text, url) if kind == "html" else CONVERTERS[kind](text)
    except ContentError as err:
        raise ContentError(f"Cannot import {where}: {err.message}", err.hint) from None
    try:
        article = parse_article(html, slug or "article")
    except ContentError as err:  # it has a title (checked above), so nothing to read
        raise ContentError(f"Cannot import {where}: {err.message}", TEXT_HINTS[kind]) from None
    check_length(article, max_hours, f"The article in {where}")
    return Prepared(html, article)


def import_article(
    source: Path,
    content_dir: Path,
    slug: str | None = None,
    *,
    max_hours: float = 0.0,
    max_page_mb: float = 0.0,
) -> Path:
    """Convert a .txt, .md or .html file to clean HTML at ``content_dir/<slug>.html``.

    Re-importing replaces the stored article (logged). The result is parsed before
    it is written, so a stored article always loads.
    """
    if slug is not None:
        validate_slug(slug)
    kind = _source_kind(source)
    check_size(source.stat().st_size, max_page_mb, str(source))
    text = _decode(_read_bytes(source), source)
    prepared = prepare_article(text, kind, str(source), max_hours=max_hours, slug=slug)
    slug = slug or default_slug(prepared.article.title, source)
    return save_article(content_dir, slug, prepared, str(source))


def import_url(
    url: str,
    content_dir: Path,
    slug: str | None = None,
    *,
    policy: FetchPolicy,
    max_hours: float = 0.0,
    session: requests.Session | None = None,
) -> Path:
    """Fetch a web page and import its article; the page's address is kept as its source."""
    from baclovoice.ingest.fetch import fetch_page

    if slug is not None:
        validate_slug(slug)
    page = fetch_page(url, policy, session=session)
    prepared = prepare_article(
        page.html, "html", page.url, url=page.url, max_hours=max_hours, slug=slug
    )
    slug = slug or default_slug(prepared.article.title, url_fallback_slug(page.url))
    return save_article(content_dir, slug, prepared, page.url)


def url_fallback_slug(url: str) -> str:
    """A page's last path part without its extension: the slug when the title gives none."""
    return urlsplit(url).path.rstrip("/").rpartition("/")[2].rsplit(".", 1)[0] or "article"


def save_article(content_dir: Path, slug: str, prepared: Prepared, where: str) -> Path:
    """Write a prepared article to ``content_dir/<slug>.html`` atomically."""
    validate_slug(slug)
    target = content_dir / f"{slug}.html"
    _log_replacement(target, prepared.html)
    atomic_write_text(target, prepared.html)
    count = len(prepared.article.sections)
    log.info("Imported %s as %s (%d sections).", where, target, count)
    return target


def default_slug(title: str, source: Path | str) -> str:
    """Slug of the title's main part (before a ':'), else the whole title, else the name."""
    name = source.stem if isinstance(source, Path) else source
    for candidate in (title.partition(":")[0], title, name):
        slug = _shorten(slugify(candidate))
        if slug:
            return slug
    raise InputError(
        f"Cannot make a slug for {source} from its title {title!r}.",
        "Pass a slug explicitly, e.g. 'my-article'.",
    )


def _shorten(slug: str) -> str:
    if len(slug) <= MAX_DEFAULT_SLUG:
        return slug
    return slug[: MAX_DEFAULT_SLUG + 1].rsplit("-", 1)[0]


def _source_kind(source: Path) -> str:
    from baclovoice.ingest.convert import SUFFIXES

    if not source.exists():
        raise InputError(f"{source} does not exist.", "Check the path and the file name.")
    if not source.is_file():
        raise InputError(f"{source} is not a file.", "Give the path of a .txt, .md or .html file.")
    kind = SUFFIXES.get(source.suffix.lower())
    if kind is None:
        raise InputError(
            f"Cannot import {source}: unknown file type {source.suffix or '(none)'!r}.",
            f"Use one of {', '.join(sorted(SUFFIXES))}, or rename the file if its "
            "content is one of those formats.",
        )
    return kind


def _log_replacement(target: Path, html: str) -> None:
    if not target.exists():
        return
    if target.read_bytes() == html.encode("utf-8"):
        log.info("%s is unchanged.", target)
    else:
        log.info("Replacing the existing article %s with the new import.", target)

"""Podcast feeds (RSS 2.0 + iTunes + Podcasting 2.0), built purely from manifests.

Two feeds: the library feed (one episode per article, the whole-article MP3 with
chapters) and a serial feed per article (one episode per section). The XML is built
as an lxml tree, so every title and description is escaped by the library.

Podcast apps are unforgiving, so every value here is stable: GUIDs come from slugs
and section ids (never a hash or the clock), dates from the article, and
``lastBuildDate`` from the caller (the web layer passes the manifests' mtime), so
the same manifests always give the same bytes and ETag.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
import re
import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from email.utils import format_datetime

from lxml import etree
from lxml.html import builder as E

from baclovoice import paths
from baclovoice.humanize import clock
from baclovoice.models import Manifest, SectionEntry
from baclovoice.podcast.chapters import CHAPTERS_TYPE
from baclovoice.podcast.vtt import VTT_TYPE

log = logging.getLogger(__name__)

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST = "https://podcastindex.org/namespace/1.0"
ATOM = "http://www.w3.org/2005/Atom"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
NSMAP = {"itunes": ITUNES, "podcast": PODCAST, "atom": ATOM, "content": CONTENT}

# Podcasting 2.0: podcast:guid is UUIDv5 of the feed URL (no scheme, no trailing
# slashes) in this namespace.
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
RSS_TYPE = "application/rss+xml"
MP3_TYPE = "audio/mpeg"
# pubDate of an article without a date: a fixed day, so the feed never changes by itself.
FALLBACK_DATE = dt.date(2000, 1, 1)
# Articles are dated by day; noon UTC shows the same day in nearly every time zone.
PUBLISH_TIME = dt.time(12, 0, tzinfo=dt.UTC)
EXCERPT_CHARS = 280
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


@dataclass(frozen=True)
class Channel:
    """What the library says about itself; article feeds inherit what articles lack."""

    title: str = "baclovoice"
    description: str = "Articles read aloud, section by section."
    author: str = "baclovoice"
    category: tuple[str, ...] = ("Health & Fitness", "Medicine")  # Apple category, subcategory
    explicit: bool = False
    language: str = "en"


def podcast_guid(feed_url: str) -> str:
    """podcast:guid per Podcasting 2.0: UUIDv5 of the feed URL without scheme and end slashes."""
    bare = feed_url.split("://", 1)[-1].rstrip("/")
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, bare))


def article_guid(slug: str) -> str:
    return f"baclovoice:article:{slug}"


def section_guid(slug: str, section_id: str) -> str:
    return f"baclovoice:section:{slug}:{section_id}"


def publish_datetime(manifest: Manifest, minutes: int = 0) -> dt.datetime:
    day = manifest.date or FALLBACK_DATE
    return dt.datetime.combine(day, PUBLISH_TIME) + dt.timedelta(minutes=minutes)


def rfc2822(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return format_datetime(moment.astimezone(dt.UTC), usegmt=True)


def disclosure(manifests: Iterable[Manifest]) -> str:
    """The sentence that tells listeners the voice is synthetic, naming each voice."""
    voices = sorted({f"the {m.engine} voice {m.voice}" for m in manifests})
    named = f": {'; '.join(voices)}" if voices else ""
    return f"Narrated by a synthetic (computer-generated) voice, not a human reader{named}."


# --- XML helpers ---------------------------------------------------------------------


def _q(namespace: str, tag: str) -> str:
    return f"{{{namespace}}}{tag}"


def xml_safe(text: str) -> str:
    """Drop characters XML 1.0 cannot carry (control codes), which lxml would refuse."""
    return _NOT_XML.sub("", text)


def _sub(
    parent: etree._Element, tag: str, text: str | None = None, **attrib: str
) -> etree._Element:
    element = etree.SubElement(parent, tag, {k: xml_safe(v) for k, v in attrib.items()})
    if text is not None:
        element.text = xml_safe(text)
    return element


def as_html(text: str) -> str:
    """Plain text for a field feed readers render as HTML (description, itunes:summary).

    RSS says ``<description>`` is HTML, and readers treat ``itunes:summary`` that
    looks like markup as HTML too: an article's ``<b onmouseover=...>`` must reach
    them as the characters it is, not as an element. Line breaks are kept.
    """
    return html.escape(text, quote=False)


def _html(*children: object) -> str:
    """Show notes as an HTML fragment, serialized by lxml (escaped, well-formed)."""
    return "".join(etree.tostring(c, encoding="unicode", method="html") for c in children)


def _timed_link(seconds: float, title: str, href: str) -> etree._Element:
    return E.LI(E.A(clock(seconds), href=xml_safe(href)), xml_safe(f" {title}"))


@dataclass(frozen=True)
class _Urls:
    base: str

    def __call__(self, path: str) -> str:
        return self.base + path


def _channel(
    rss: etree._Element,
    *,
    urls: _Urls,
    feed_path: str,
    title: str,
    link: str,
    description: str,
    language: str,
    author: str,
    image: str,
    kind: str,
    channel: Channel,
    updated: dt.datetime,
    ai_note: str,
) -> etree._Element:
    ch = _sub(rss, "channel")
    feed_url = urls(feed_path)
    _sub(ch, "title", title)
    _sub(ch, "link", link)
    _sub(ch, "description", as_html(description))
    _sub(ch, "language", language)
    _sub(ch, "generator", "baclovoice")
    _sub(ch, "lastBuildDate", rfc2822(updated))
    _sub(ch, _q(ATOM, "link"), href=feed_url, rel="self", type=RSS_TYPE)
    img = _sub(ch, "image")
    _sub(img, "url", image)
    _sub(img, "title", title)
    _sub(img, "link", link)
    _sub(ch, _q(ITUNES, "image"), href=image)
    _category(ch, channel.category)
    _sub(ch, _q(ITUNES, "explicit"), "true" if channel.explicit else "false")
    _sub(ch, _q(ITUNES, "author"), author)
    _sub(ch, _q(ITUNES, "summary"), as_html(description))
    _sub(ch, _q(ITUNES, "type"), kind)
    _sub(ch, _q(PODCAST, "guid"), podcast_guid(feed_url))
    _sub(ch, _q(PODCAST, "medium"), "podcast")
    _sub(ch, _q(PODCAST, "txt"), ai_note, purpose="ai-content")
    return ch


def _category(parent: etree._Element, names: Sequence[str]) -> None:
    for name in names:  # nested: category, then subcategory; the name is an attribute
        parent = etree.SubElement(parent, _q(ITUNES, "category"), {"text": name})


def _item(
    ch: etree._Element,
    *,
    title: str,
    guid: str,
    published: dt.datetime,
    link: str,
    url: str,
    size: int,
    duration: float,
    text: str,
    html: str,
    image: str,
) -> etree._Element:
    item = _sub(ch, "item")
    _sub(item, "title", title)
    _sub(item, "link", link)
    _sub(item, "description", as_html(text))
    _sub(item, _q(CONTENT, "encoded"), html)
    _sub(item, "guid", guid, isPermaLink="false")
    _sub(item, "pubDate", rfc2822(published))
    _sub(item, "enclosure", url=url, length=str(size), type=MP3_TYPE)
    _sub(item, _q(ITUNES, "title"), title)
    _sub(item, _q(ITUNES, "duration"), str(round(duration)))
    _sub(item, _q(ITUNES, "image"), href=image)
    _sub(item, _q(ITUNES, "episodeType"), "full")
    return item


def _transcripts(item: etree._Element, vtt: str, html: str, language: str) -> None:
    vtt_attrs = {"url": vtt, "type": VTT_TYPE, "language": language, "rel": "captions"}
    _sub(item, _q(PODCAST, "transcript"), **vtt_attrs)
    _sub(item, _q(PODCAST, "transcript"), url=html, type="text/html", language=language)


def _serialize(rss: etree._Element) -> bytes:
    return etree.tostring(rss, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _rss() -> etree._Element:
    return etree.Element("rss", {"version": "2.0"}, nsmap=NSMAP)


def _base(base_url: str) -> _Urls:
    return _Urls(base_url.rstrip("/"))


# --- the library feed ----------------------------------------------------------------


def _article_notes(manifest: Manifest, page: str) -> tuple[str, str]:
    """Plain-text and HTML show notes: summary, a timestamped section list, the disclosure."""
    lines = [f"{clock(s.start)} {s.title}" for s in manifest.sections]
    summary = manifest.description or f"{manifest.title}, read aloud."
    note = disclosure([manifest])
    text = "\n".join([summary, "", "Sections:", *lines, "", note])
    html = _html(
        E.P(xml_safe(summary)),
        E.P("Sections:"),
        E.OL(*[_timed_link(s.start, s.title, f"{page}#{s.id}") for s in manifest.sections]),
        E.P(xml_safe(note)),
    )
    return text, html


def library_feed(
    manifests: Sequence[Manifest],
    base_url: str,
    updated: dt.datetime,
    channel: Channel = Channel(),
) -> bytes:
    """The library feed: one episode per article whose whole-article MP3 is built."""
    urls = _base(base_url)
    languages = Counter(m.language for m in manifests)
    language = languages.most_common(1)[0][0] if languages else channel.language
    note = disclosure(manifests)
    rss = _rss()
    ch = _channel(
        rss,
        urls=urls,
        feed_path=paths.LIBRARY_FEED.path(),
        title=channel.title,
        link=urls("/"),
        description=f"{channel.description} {note}",
        language=language,
        author=channel.author,
        image=urls(paths.LIBRARY_COVER.path()),
        kind="episodic",
        channel=channel,
        updated=updated,
        ai_note=note,
    )
    for manifest in manifests:
        if manifest.full is None:
            log.warning("Article %s has no whole-article MP3; left out of the feed", manifest.slug)
            continue
        slug, page = manifest.slug, urls(paths.PLAYER.path(slug=manifest.slug))
        text, html = _article_notes(manifest, page)
        cover = (
            paths.ARTICLE_COVER.path(slug=slug) if manifest.cover else paths.LIBRARY_COVER.path()
        )
        item = _item(
            ch,
            title=manifest.title,
            guid=article_guid(slug),
            published=publish_datetime(manifest),
            link=manifest.source_url or page,  # the original article, when imported from one
            url=urls(paths.ARTICLE_MP3.path(slug=slug)),
            size=manifest.full.bytes,
            duration=manifest.full.duration,
            text=text,
            html=html,
            image=urls(cover),
        )
        if manifest.author:
            _sub(item, _q(ITUNES, "author"), manifest.author)
        _sub(
            item,
            _q(PODCAST, "chapters"),
            url=urls(paths.CHAPTERS.path(slug=slug)),
            type=CHAPTERS_TYPE,
        )
        _transcripts(
            item,
            urls(paths.TRANSCRIPT_VTT.path(slug=slug)),
            urls(paths.TRANSCRIPT_HTML.path(slug=slug)),
            manifest.language,
        )
    return _serialize(rss)


# --- the serial feed of one article ------------------------------------------------------


def _section_notes(manifest: Manifest, section: SectionEntry, page: str) -> tuple[str, str]:
    """Show notes of one section: where it sits, an excerpt, its sub-headings with times."""
    where = f"Part {section.number} of {len(manifest.sections)} of “{manifest.title}”."
    starts: dict[str, float] = {}
    for t in section.sentences:
        starts.setdefault(t.element_id, t.start)
    marks = [(0.0, section.title, section.id)] + [
        (starts[b.id], b.text, b.id)
        for b in section.blocks
        if b.kind == "heading" and b.id in starts
    ]
    paragraphs = [b.text for b in section.blocks if b.kind == "paragraph"]
    excerpt = _excerpt(paragraphs[0]) if paragraphs else ""
    note = disclosure([manifest])
    text = "\n".join(
        [where, *([excerpt] if excerpt else []), "", "Contents:"]
        + [f"{clock(t)} {title}" for t, title, _ in marks]
        + ["", note]
    )
    html = _html(
        E.P(xml_safe(where)),
        *([E.P(xml_safe(excerpt))] if excerpt else []),
        E.P("Contents:"),
        E.UL(*[_timed_link(t, title, f"{page}#{anchor}") for t, title, anchor in marks]),
        E.P(xml_safe(note)),
    )
    return text, html


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= EXCERPT_CHARS:
        return text
    return text[:EXCERPT_CHARS].rsplit(" ", 1)[0] + "…"


def article_feed(
    manifest: Manifest,
    base_url: str,
    updated: dt.datetime,
    channel: Channel = Channel(),
) -> bytes:
    """A serial feed of one article: each section is an episode, in reading order."""
    urls = _base(base_url)
    slug, page = manifest.slug, urls(paths.PLAYER.path(slug=manifest.slug))
    note = disclosure([manifest])
    summary = manifest.description or f"{manifest.title}, read aloud section by section."
    cover = urls(
        paths.ARTICLE_COVER.path(slug=slug) if manifest.cover else paths.LIBRARY_COVER.path()
    )
    rss = _rss()
    ch = _channel(
        rss,
        urls=urls,
        feed_path=paths.ARTICLE_FEED.path(slug=slug),
        title=manifest.title,
        link=page,
        description=f"{summary} {note}",
        language=manifest.language,
        author=manifest.author or channel.author,
        image=cover,
        kind="serial",
        channel=channel,
        updated=updated,
        ai_note=note,
    )
    for section in manifest.sections:
        text, html = _section_notes(manifest, section, page)
        item = _item(
            ch,
            title=section.title,
            guid=section_guid(slug, section.id),
            # A minute apart, so apps that sort by date keep the reading order.
            published=publish_datetime(manifest, minutes=section.number - 1),
            link=f"{page}#{section.id}",
            url=urls(paths.SECTION_MP3.path(slug=slug, number=section.number)),
            size=section.audio.bytes,
            duration=section.audio.duration,
            text=text,
            html=html,
            image=cover,
        )
        _sub(item, _q(ITUNES, "season"), "1")
        _sub(item, _q(ITUNES, "episode"), str(section.number))
        _transcripts(
            item,
            urls(paths.SECTION_VTT.path(slug=slug, number=section.number)),
            urls(f"{paths.TRANSCRIPT_HTML.path(slug=slug)}#{section.id}"),
            manifest.language,
        )
    return _serialize(rss)

"""Article HTML -> ``Article``: what a listener should hear, in reading order.

Two typed stages, both pure (a string in, objects out, no files):

``read_page`` parses the HTML with BeautifulSoup, removes everything that is
not part of the article (scripts, navigation, hidden elements, ads and other
boilerplate), picks the article root and reads the metadata (title, date,
author, language, description). The title heading and the date/byline line are
removed from the tree because they are metadata, not content.

``parse_article`` walks the cleaned root and turns it into sections of
``Block``s: one per paragraph, list item, table row, quote paragraph, image
description, caption or code block. ``content.py`` reuses ``read_page`` to
write clean HTML on import, so both always agree on what the article is.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import (
    PreformattedString,
    RubyParenthesisString,
    Script,
    Stylesheet,
    TemplateString,
)
from dateutil import parser as dateparser

from baclovoice.errors import ContentError
from baclovoice.models import Article, Block, Section

log = logging.getLogger(__name__)

PARSER = "html.parser"

# Element ids that other modules give to the article title and date line.
RESERVED_IDS = frozenset({"title", "published"})
INTRODUCTION = "Introduction"

# Never read: code, widgets, embedded media and page furniture.
DROP_TAGS = frozenset(
    [
        "script",
        "style",
        "noscript",
        "template",
        "nav",
        "aside",
        "form",
        "button",
        "iframe",
        "svg",
        "canvas",
        "video",
        "audio",
        "object",
        "embed",
        "input",
        "select",
        "textarea",
        "dialog",
        "map",
        "link",
        "meta",
        "head",
        "title",
    ]
)
# ARIA landmarks that are page furniture whatever element carries them.
DROP_ROLES = frozenset({"navigation", "banner", "contentinfo", "complementary", "search"})
# Whole class/id words (split at -, _, camelCase) that mark ads and other boilerplate.
BOILERPLATE_WORDS = frozenset(
    """ad ads adsense adslot advert adverts advertisement advertising promo promos promoted
    promotion sponsor sponsored sponsors share shares sharing sharedaddy social newsletter
    subscribe subscription signup cookie cookies consent gdpr related comments comment
    disqus breadcrumb breadcrumbs sidebar popup modal outbrain taboola""".split()
)
# Elements whose class/id is never taken as boilerplate: the page frame (WordPress puts
# "tag-ads" on <article> and <body>) and text elements whose ids are slugs of their text.
NEVER_BOILERPLATE = frozenset(
    "html body main article h1 h2 h3 h4 h5 h6 p li dt dd tr td th".split()
)
# Ancestors that make <header>/<footer> part of content rather than the page banner.
SECTIONING = frozenset(
    "article aside main nav section blockquote figure details dialog fieldset td".split()
)
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
BLOCK_TAGS = frozenset(
    """address article aside blockquote caption center details dd dialog div dl dt fieldset
    figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr li main nav ol p pre
    section summary table tbody td tfoot th thead tr ul""".split()
)
# Elements with their own reading rule, by walker method name.
_HANDLERS = {
    **dict.fromkeys(HEADINGS, "heading"),
    "p": "paragraph",
    "ul": "bullets",
    "ol": "bullets",
    "dl": "definitions",
    "table": "table",
    "blockquote": "quote",
    "figcaption": "caption",
    "pre": "code",
}
KIND_LETTERS = {
    "paragraph": "p",
    "heading": "h",
    "list-item": "li",
    "quote": "q",
    "image": "img",
    "caption": "cap",
    "table-row": "tr",
    "code": "pre",
}
DECORATIVE_ALTS = frozenset(
    "image img photo picture pic icon logo spacer graphic banner placeholder".split()
)
TITLE_SEPARATORS = (" | ", " — ", " – ", " - ", " :: ", " · ")

_BR = "\x00"  # stands for <br> while text is gathered
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u2060\ufeff"))
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
_YEAR = re.compile(r"\b(1[5-9]|2[0-9])\d\d\b")
_DATE_LABEL = re.compile(r"^(published|posted|updated|date)\s*(on)?\s*:?\s*", re.I)
_META_FILLER = re.compile(
    r"\b(by|written|posted|published|updated|last|modified|on|at|in|date|and)\b|[\W_]", re.I
)
_FOOTNOTE_MARK = re.compile(r"\[?(\d{1,3}|[a-z]|[*†‡]+)\]?")
_FILENAME = re.compile(r"\.(jpe?g|png|gif|webp|avif|svg|bmp|tiff?)$", re.I)


@dataclass
class Page:
    """A cleaned HTML tree plus the article metadata read from it (``read_page``)."""

    soup: BeautifulSoup
    root: Tag  # the <article>/<main>/<body> holding only content
    title: str
    date: dt.date | None = None
    date_text: str = ""  # the date as the page shows it
    author: str = ""
    language: str = "en"
    description: str = ""


@dataclass
class _Item:
    """A walker output: a block, or a section start when ``kind == "section"``."""

    kind: str
    text: str
    level: int = 0
    announce: str = ""


# --- public API ----------------------------------------------------------------------


def parse_article(
    html: str, slug: str, *, section_level: int = 2, read_images: bool = True
) -> Article:
    """Parse article HTML into sections of readable blocks.

    Raises ContentError when the page has no title or nothing to read.
    """
    try:
        page = read_page(html)
        walker = _Walker(section_level=section_level, read_images=read_images)
        walker.walk(page.root)
    except RecursionError:
        raise too_deep(f"Article {slug!r}") from None
    if not page.title:
        raise ContentError(
            f"Article {slug!r} has no title.",
            "Add an <h1> heading (or a <title> element) with the article's title.",
        )
    sections = _sections(walker.finish(), page.title)
    if not any(section.blocks for section in sections):
        raise ContentError(
            f"Article {slug!r} has no narratable text.",
            "Put paragraphs (<p>) inside <article>, <main> or <body>; hidden elements, "
            "navigation and ads are not read.",
        )
    return Article(
        slug=slug,
        title=page.title,
        sections=sections,
        date=page.date,
        author=page.author,
        language=page.language,
        description=page.description,
    )


def too_deep(what: str) -> ContentError:
    """The error for HTML nested too deeply to walk (hundreds of levels: broken markup)."""
    return ContentError(
        f"{what} is nested too deeply to read.",
        "Simplify the HTML: close unclosed elements or remove wrapper <div>s.",
    )


def slugify(text: str) -> str:
    """ASCII, lowercase, hyphen-separated words; apostrophes vanish ("it's" -> "its")."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    ascii_text = re.sub(r"['`]", "", ascii_text.replace("\u2019", "'").lower())
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


def parse_date_text(text: str) -> dt.date | None:
    """Read a shown date such as "Apr, 27 2023"; None unless the whole text is a dated day."""
    text = _DATE_LABEL.sub("", collapse(text))
    if not 6 <= len(text) <= 40 or not _YEAR.search(text):
        return None
    try:
        return dateparser.parse(text, default=dt.datetime(2000, 1, 1)).date()
    except (ValueError, OverflowError):
        return None


def parse_date_attr(value: str) -> dt.date | None:
    """Read a machine date (ISO 8601 as in ``datetime``/``content``) as written, or None."""
    value = value.strip()
    if not value:
        return None
    try:
        return dateparser.isoparse(value).date()
    except (ValueError, OverflowError):
        return parse_date_text(value)


def collapse(text: str) -> str:
    """Collapse runs of whitespace (nbsp included) and drop invisible characters."""
    return " ".join(text.translate(_INVISIBLE).split())


def read_page(html: str) -> Page:
    """Parse and clean the HTML, pick the article root and read its metadata."""
    soup = BeautifulSoup(html, PARSER)
    for tag in soup.find_all(["script", "style", "template"]):
        tag.decompose()
    head_meta = _head_metadata(soup)
    _drop_junk(soup)
    _drop_footnote_marks(soup)
    root = _pick_root(soup)
    title_el = _title_heading(soup, root)
    title = _text(title_el) if title_el else _site_suffix_removed(head_meta.get("title", ""))
    author, author_el = _find_author(root, head_meta)
    date, date_text, date_el = _find_date(soup, root, title_el, head_meta, author)
    page = Page(
        soup=soup,
        root=root,
        title=title,
        date=date,
        date_text=date_text,
        author=author,
        language=_language(soup, root),
        description=head_meta.get("description", ""),
    )
    _drop_metadata_elements(page, title_el, [date_el, author_el])
    _drop_page_furniture(root)
    return page


# --- cleaning ------------------------------------------------------------------------


def _head_metadata(soup: BeautifulSoup) -> dict[str, str]:
    """Metadata from <meta> tags, read before the head is dropped."""
    wanted = {
        "author": "author",
        "description": "description",
        "og:description": "og:description",
        "article:published_time": "published",
        "datepublished": "published",
        "date": "date",
        "article:author": "article:author",
    }
    found: dict[str, str] = {}
    for meta in soup.find_all("meta"):
        key = str(meta.get("name") or meta.get("property") or meta.get("itemprop") or "")
        content = collapse(str(meta.get("content") or ""))
        name = wanted.get(key.lower())
        if name and content and name not in found:
            found[name] = content
    if "description" not in found and "og:description" in found:
        found["description"] = found["og:description"]
    if "published" not in found and "date" in found:
        found["published"] = found["date"]
    title = soup.find("title")
    if isinstance(title, Tag):
        found["title"] = _text(title)
    return found


def _drop_junk(soup: BeautifulSoup) -> None:
    """Remove what is never read: code, widgets, hidden elements, ads, page landmarks."""
    doomed: list[Tag] = []
    stack: list[Tag] = [soup]
    while stack:  # depth-first, not entering what is already doomed
        for child in stack.pop().children:
            if not isinstance(child, Tag):
                continue
            if child.name in DROP_TAGS or _is_hidden(child) or _is_boilerplate(child):
                doomed.append(child)
            else:
                stack.append(child)
    for tag in doomed:
        tag.decompose()


def _is_hidden(tag: Tag) -> bool:
    if tag.has_attr("hidden") or str(tag.get("aria-hidden", "")).lower() == "true":
        return True
    return bool(_HIDDEN_STYLE.search(str(tag.get("style") or "")))


def _is_boilerplate(tag: Tag) -> bool:
    """True for ads/share/comment widgets, by whole class or id words, or ARIA role."""
    if tag.name in NEVER_BOILERPLATE:
        return False
    role = str(tag.get("role") or "").lower()
    marked = role in DROP_ROLES or not BOILERPLATE_WORDS.isdisjoint(_class_words(tag))
    # A wrapper that holds the article itself is a false positive ("content has-share").
    return marked and tag.find(["article", "main", "h1"]) is None


def _class_words(tag: Tag) -> set[str]:
    classes = tag.get("class")
    names = " ".join(classes) if isinstance(classes, list) else str(classes or "")
    return _words(f"{names} {tag.get('id') or ''}")


def _words(name: str | None) -> set[str]:
    """Lowercase words of a class or id: "shareButtons ad-slot" -> share, buttons, ad, slot."""
    return {word.lower() for word in _WORDS.findall(name or "")}


def _drop_footnote_marks(soup: BeautifulSoup) -> None:
    """Footnote references ("<sup><a href="#fn1">1</a></sup>") are noise when read aloud."""
    for sup in soup.find_all("sup"):
        link = sup.find("a", href=True)
        if (
            isinstance(link, Tag)
            and str(link["href"]).startswith("#")
            and _FOOTNOTE_MARK.fullmatch(_text(sup))
        ):
            sup.decompose()


def _pick_root(soup: BeautifulSoup) -> Tag:
    """The <article> with the most text, else <main>, else <body>, else the document."""
    articles = soup.find_all("article")
    if articles:
        return max(articles, key=lambda tag: len(_text(tag)))
    main = soup.find("main")
    if isinstance(main, Tag):
        return main
    body = soup.find("body")
    return body if isinstance(body, Tag) else soup


def _drop_page_furniture(root: Tag) -> None:
    """Drop page-level <header>/<footer> (banner, site footer) left inside the root."""
    for tag in root.find_all(["header", "footer"]):
        if tag.decomposed:
            continue
        if not any(parent.name in SECTIONING for parent in tag.parents):
            tag.decompose()


# --- metadata ------------------------------------------------------------------------


def _title_heading(soup: BeautifulSoup, root: Tag) -> Tag | None:
    """The first non-empty <h1> in the article root, else in the page."""
    for scope in (root, soup):
        for h1 in scope.find_all("h1"):
            if _text(h1):
                return h1
    return None


def _site_suffix_removed(title: str) -> str:
    """A <title> without its trailing " | Site Name" part."""
    for separator in TITLE_SEPARATORS:
        head, found, _site = title.rpartition(separator)
        if found and head.strip():
            return head.strip()
    return title


def _find_date(
    soup: BeautifulSoup, root: Tag, title_el: Tag | None, meta: dict[str, str], author: str
) -> tuple[dt.date | None, str, Tag | None]:
    """(date, shown text, element showing it) of publication.

    In order: a <time> marked as the publication date, <meta> published time, a
    <time> alone on a dateline, a date line right after the title. A <time> inside
    a sentence is content, not the article's date.
    """
    times = root.find_all("time", datetime=True)
    times += [t for t in soup.find_all("time", datetime=True) if t not in times]
    dated = [(t, parse_date_attr(str(t["datetime"]))) for t in times]
    for time, date in dated:
        if date and (
            _is_publication_time(time) or _is_meta_line(_line_of(time, root), [_text(time), author])
        ):
            return date, _text(time), time
    line_date, line_text, line = _date_line(title_el)
    meta_date = parse_date_attr(meta.get("published", ""))
    if meta_date:
        shown = next((t for t, d in dated if d == meta_date), None)
        if shown is None and line_date == meta_date:
            return meta_date, line_text, line
        return meta_date, _text(shown), shown
    return line_date, line_text, line


def _date_line(title_el: Tag | None) -> tuple[dt.date | None, str, Tag | None]:
    """A paragraph right after the title that is only a date ("Apr, 27 2023")."""
    line = title_el.find_next_sibling() if title_el else None
    if isinstance(line, Tag) and line.name in ("p", "div", "span"):
        date = parse_date_text(_text(line))
        if date:
            return date, _text(line), line
    return None, "", None


def _is_publication_time(time: Tag) -> bool:
    marks = {"published", "pubdate", "datepublished"}
    itemprop = str(time.get("itemprop") or "").lower()
    return time.has_attr("pubdate") or itemprop in marks or not marks.isdisjoint(_class_words(time))


def _find_author(root: Tag, meta: dict[str, str]) -> tuple[str, Tag | None]:
    """Author from <meta name=author>, else the shown byline; with the byline element."""
    shown = root.find(rel="author") or root.find(itemprop="author")
    shown = shown or root.find(class_=lambda value: "byline" in _words(value))
    shown_text = ""
    if isinstance(shown, Tag):
        name = shown.find(itemprop="name")
        shown_text = _text(name if isinstance(name, Tag) else shown)
        shown_text = re.split(r"\s+[|·•—–]\s+", re.sub(r"^by\s+", "", shown_text, flags=re.I))[0]
    author = meta.get("author") or meta.get("article:author", "")
    if not author or author.startswith(("http://", "https://")):
        author = shown_text
    return author, shown if isinstance(shown, Tag) else None


def _language(soup: BeautifulSoup, root: Tag) -> str:
    for tag in (root, soup.find("html")):
        if isinstance(tag, Tag) and str(tag.get("lang") or "").strip():
            return str(tag["lang"]).strip()
    return "en"


def _drop_metadata_elements(page: Page, title_el: Tag | None, shown: list[Tag | None]) -> None:
    """Remove the title heading and any line that only shows the date or the byline."""
    known = [page.title, page.date_text, page.author]
    for element in shown:
        if element is not None and not element.decomposed:
            line = _line_of(element, page.root)
            if _is_meta_line(line, known):
                line.decompose()
    if title_el is not None and not title_el.decomposed:
        title_el.decompose()


def _line_of(element: Tag, root: Tag) -> Tag:
    """The block (paragraph, div...) that shows ``element``; never the root or above it."""
    line = element if element.name in BLOCK_TAGS else None
    line = line or next((p for p in element.parents if p.name in BLOCK_TAGS), None)
    if line is None or line is root or any(p is line for p in root.parents):
        return element
    return line


def _is_meta_line(line: Tag, known: Iterable[str]) -> bool:
    """True for a byline, or a line with nothing but known metadata and filler words."""
    if "byline" in _class_words(line):
        return True
    rest = _text(line)
    for text in sorted(known, key=len, reverse=True):
        if text:
            rest = rest.replace(text, " ")
    return not _META_FILLER.sub("", rest).strip()


# --- text gathering ------------------------------------------------------------------


def _is_text(node: object) -> bool:
    skipped = (PreformattedString, Script, Stylesheet, TemplateString, RubyParenthesisString)
    return isinstance(node, NavigableString) and not isinstance(node, skipped)


def _pieces(tag: Tag, images: list[Tag], exclude: frozenset[str]) -> Iterator[str]:
    """Text of ``tag`` in order; <br> as a marker, images collected, blocks space-separated."""
    for child in tag.children:
        if _is_text(child):
            yield str(child).replace(_BR, "")
        elif isinstance(child, Tag):
            if child.name == "br":
                yield _BR
            elif child.name == "img":
                images.append(child)
            elif child.name not in exclude:
                spaced = child.name in BLOCK_TAGS
                yield " " if spaced else ""
                yield from _pieces(child, images, exclude)
                yield " " if spaced else ""


def _line(pieces: Iterable[str]) -> str:
    return collapse("".join(pieces).replace(_BR, " "))


def _text(tag: Tag | None) -> str:
    """All the text of an element as one whitespace-collapsed line."""
    return _line(_pieces(tag, [], frozenset())) if tag is not None else ""


def _paragraphs(pieces: Iterable[str]) -> list[str]:
    """Split gathered text at double <br> (junk HTML's paragraphs) and collapse each part."""
    joined = "".join(pieces)
    parts = re.split(rf"{_BR}\s*{_BR}[\s{_BR}]*", joined)
    return [text for text in (collapse(p.replace(_BR, " ")) for p in parts) if text]


def image_text(img: Tag) -> str:
    """ "Image: <alt>" for a meaningful image; "" for decorative, unnamed or tracking ones."""
    alt = collapse(str(img.get("alt") or ""))
    if str(img.get("role") or "").lower() in ("presentation", "none"):
        return ""
    if str(img.get("width")) == "1" and str(img.get("height")) == "1":
        return ""
    if not re.search(r"\w", alt) or alt.lower() in DECORATIVE_ALTS or _FILENAME.search(alt):
        return ""
    return f"Image: {alt}"


# --- walking -------------------------------------------------------------------------


@dataclass
class _Walker:
    """Turns the cleaned root into a flat list of ``_Item``s in reading order."""

    section_level: int
    read_images: bool
    items: list[_Item] = field(default_factory=list)
    buffer: list[str] = field(default_factory=list)
    images: list[Tag] = field(default_factory=list)
    announce: str = ""  # spoken before the next block
    quoting: int = 0

    def finish(self) -> list[_Item]:
        self.flush()
        return self.items

    def walk(self, tag: Tag) -> None:
        for child in tag.children:
            if _is_text(child):
                self.buffer.append(str(child).replace(_BR, ""))
            elif isinstance(child, Tag):
                self.element(child)

    def element(self, tag: Tag) -> None:
        name = tag.name
        handler = getattr(self, _HANDLERS.get(name, ""), None)
        if name == "table" and _is_layout_table(tag):
            handler = None
        if handler is not None:
            self.flush()
            handler(tag)
        elif name == "img":
            self.images.append(tag)
            if not collapse("".join(self.buffer)):
                self.flush()
        elif name == "br":
            self.buffer.append(_BR)
        elif name == "hr":
            self.flush()
        elif name in BLOCK_TAGS or _has_block(tag):
            self.flush()
            self.walk(tag)
            self.flush()
        else:
            self.buffer.extend(_pieces(tag, self.images, frozenset()))

    # Block emitters.

    def emit(self, kind: str, text: str, level: int = 0, announce: str = "") -> None:
        if not text:
            return
        spoken = " ".join(part for part in (self.announce, announce) if part)
        self.items.append(_Item(kind, text, level, spoken))
        self.announce = ""

    def emit_images(self, images: list[Tag]) -> None:
        if self.read_images:
            for img in images:
                self.emit("image", image_text(img))
        images.clear()

    def flush(self) -> None:
        """Emit loose text gathered so far as paragraphs, then its images."""
        kind = "quote" if self.quoting else "paragraph"
        for text in _paragraphs(self.buffer):
            self.emit(kind, text)
        self.buffer.clear()
        self.emit_images(self.images)

    def heading(self, tag: Tag) -> None:
        text = _text(tag)
        level = int(tag.name[1])
        if self.quoting:
            self.emit("quote", text)
        elif level <= self.section_level:
            if text:
                self.items.append(_Item("section", text, level))
        else:
            self.emit("heading", text, level)

    def paragraph(self, tag: Tag) -> None:
        if _has_block(tag):
            self.walk(tag)
            self.flush()
            return
        images: list[Tag] = []
        for text in _paragraphs(_pieces(tag, images, frozenset())):
            self.emit("quote" if self.quoting else "paragraph", text)
        self.emit_images(images)

    def caption(self, tag: Tag) -> None:
        self.emit("caption", _text(tag))

    def code(self, tag: Tag) -> None:
        lines = [line.rstrip() for line in tag.get_text().translate(_INVISIBLE).splitlines()]
        self.emit("code", "\n".join(lines).strip("\n"))

    def quote(self, tag: Tag) -> None:
        self.announce_block("Quotation.")
        self.quoting += 1
        self.walk(tag)
        self.flush()
        self.quoting -= 1
        self.announce = ""

    def bullets(self, tag: Tag) -> None:
        """Each item, then its nested lists, depth-first; the first one announces the list."""
        entries = []
        for item in _list_items(tag):
            images: list[Tag] = []
            pieces = _pieces(item, images, _LISTS)
            entries.append((_line(pieces), images, _nested_lists(item)))
        count = sum(1 for text, _images, _lists in entries if text)
        noun = "Numbered list" if tag.name == "ol" else "List"
        self.announce_block(f"{noun}, {_count(count, 'item')}." if count else "")
        for text, images, nested in entries:
            self.emit("list-item", text)
            self.emit_images(images)
            for sublist in nested:
                self.element(sublist)

    def definitions(self, tag: Tag) -> None:
        """A <dl> as "term: definition" items."""
        entries: list[str] = []
        for child in _own(tag, frozenset({"dt", "dd"}), _LISTS):
            text = _text(child)
            if child.name == "dd" and entries and text:
                entries[-1] = f"{entries[-1]}: {text}" if entries[-1] else text
            elif child.name == "dt" or text:
                entries.append(text)
        entries = [text for text in entries if text]
        self.announce_block(f"List, {_count(len(entries), 'item')}." if entries else "")
        for text in entries:
            self.emit("list-item", text)

    def table(self, tag: Tag) -> None:
        """Announce the table, then read each row, pairing cells with their column header."""
        rows = [row for row in _table_rows(tag) if any(_text(c) for c in row)]
        header = rows.pop(0) if len(rows) > 1 and _is_header_row(rows[0], tag) else []
        headers = [_text(cell) for cell in header]
        caption = tag.find("caption")
        caption_text = _text(caption).rstrip(".:;") if isinstance(caption, Tag) else ""
        if not rows:
            return
        announce = f"Table, {_count(len(rows), 'row')}"
        self.announce_block(f"{announce}: {caption_text}." if caption_text else f"{announce}.")
        for row in rows:
            images: list[Tag] = []
            cells = [_line(_pieces(cell, images, frozenset())) for cell in row]
            self.emit("table-row", _row_text(headers, cells, row))
            self.emit_images(images)

    def announce_block(self, text: str) -> None:
        self.announce = " ".join(part for part in (self.announce, text) if part)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _has_block(tag: Tag) -> bool:
    return any(isinstance(node, Tag) and node.name in BLOCK_TAGS for node in tag.descendants)


def _own(tag: Tag, names: frozenset[str], stop: frozenset[str] = frozenset()) -> list[Tag]:
    """Descendants named ``names`` that belong to ``tag``: not inside a match or a ``stop``.

    Junk HTML may wrap <li>s or <tr>s in other elements; nested lists and tables
    own their items, so the search does not enter them.
    """
    found: list[Tag] = []
    for child in tag.children:
        if isinstance(child, Tag):
            if child.name in names:
                found.append(child)
            elif child.name not in stop:
                found += _own(child, names, stop)
    return found


_LISTS = frozenset({"ul", "ol", "dl"})


def _list_items(tag: Tag) -> list[Tag]:
    return _own(tag, frozenset({"li"}), _LISTS)


def _nested_lists(item: Tag) -> list[Tag]:
    return _own(item, _LISTS)


def _is_layout_table(tag: Tag) -> bool:
    """Tables used for page layout are read as plain containers, not as data."""
    if str(tag.get("role") or "").lower() in ("presentation", "none"):
        return True
    rows = _table_rows(tag)
    return tag.find("table") is not None or (len(rows) == 1 and len(rows[0]) <= 1)


def _table_rows(tag: Tag) -> list[list[Tag]]:
    rows = _own(tag, frozenset({"tr"}), frozenset({"table"}))
    return [_own(row, frozenset({"td", "th"}), frozenset({"table"})) for row in rows]


def _is_header_row(row: list[Tag], table: Tag) -> bool:
    in_head = row[0].find_parent("thead") is not None and row[0].find_parent("table") is table
    return in_head or all(cell.name == "th" for cell in row)


def _row_text(headers: list[str], cells: list[str], row: list[Tag]) -> str:
    """ "Header: value; ..." with a header row, "row header: rest" with a leading <th>."""
    if headers:
        pairs = itertools.zip_longest(headers, cells, fillvalue="")
        return "; ".join(f"{h}: {v}" if h else v for h, v in pairs if v)
    filled = [cell for cell in cells if cell]
    row_header = row[0].name == "th" and all(cell.name == "td" for cell in row[1:])
    if len(filled) > 1 and row_header and cells[0]:
        return f"{cells[0]}: " + "; ".join(cell for cell in cells[1:] if cell)
    return "; ".join(filled)


# --- sections and ids ----------------------------------------------------------------


def _sections(items: list[_Item], title: str) -> tuple[Section, ...]:
    """Group items at section headings; text before the first one is the Introduction."""
    groups: list[tuple[str, list[_Item]]] = [(INTRODUCTION, [])]
    for item in items:
        if item.kind == "section":
            groups.append((item.text, []))
        else:
            groups[-1][1].append(item)
    if len(groups) == 1:
        groups = [(title, groups[0][1])]  # no section headings: one section, the article
    elif not groups[0][1]:
        groups.pop(0)
    used: set[str] = set(RESERVED_IDS)
    section_ids = [
        _unique(slugify(name) or f"section-{n}", used)
        for n, (name, _) in enumerate(groups, start=1)
    ]
    return tuple(
        Section(id=sid, title=name, blocks=_blocks(sid, group, used))
        for sid, (name, group) in zip(section_ids, groups, strict=True)
    )


def _blocks(section_id: str, items: list[_Item], used: set[str]) -> tuple[Block, ...]:
    counts: Counter[str] = Counter()
    blocks = []
    for item in items:
        counts[item.kind] += 1
        block_id = _unique(f"{section_id}-{KIND_LETTERS[item.kind]}{counts[item.kind]}", used)
        blocks.append(Block(block_id, item.kind, item.text, item.level, item.announce))
    return tuple(blocks)


def _unique(candidate: str, used: set[str]) -> str:
    """``candidate``, or ``candidate-2``, ``-3``... whichever is not used yet; marks it used."""
    unique = candidate
    for n in itertools.count(2):
        if unique not in used:
            break
        unique = f"{candidate}-{n}"
    used.add(unique)
    return unique

"""Page cleaning: an HTML page in, its article root and metadata out (``read_page``).

Removes everything that is not part of the article (scripts, navigation, hidden
elements, ads and other boilerplate), picks the article root and reads the title,
date, author, language and description. The title heading and the date/byline
line are removed from the tree: they are metadata, not content. Pure.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from bs4 import BeautifulSoup, Tag
from dateutil import parser as dateparser

from baclovoice.ingest.elements import (
    BLOCK_TAGS,
    PARSER,
    ROOT_MARK,
    SECTIONING,
    collapse,
    element_text,
)

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
TITLE_SEPARATORS = (" | ", " — ", " – ", " - ", " :: ", " · ")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
_YEAR = re.compile(r"\b(1[5-9]|2[0-9])\d\d\b")
_DATE_LABEL = re.compile(r"^(published|posted|updated|date)\s*(on)?\s*:?\s*", re.I)
_META_FILLER = re.compile(
    r"\b(by|written|posted|published|updated|last|modified|on|at|in|date|and)\b|[\W_]", re.I
)
_FOOTNOTE_MARK = re.compile(r"\[?(\d{1,3}|[a-z]|[*†‡]+)\]?")


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
    language_declared: bool = False  # the page names its language (lang=...)
    site_name: str = ""
    source_url: str = ""  # the canonical URL of the original article


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
    title = element_text(title_el) if title_el else _site_suffix_removed(head_meta.get("title", ""))
    author, author_el = _find_author(root, head_meta)
    date, date_text, date_el = _find_date(soup, root, title_el, head_meta, author)
    page = Page(
        soup=soup,
        root=root,
        title=title,
        date=date,
        date_text=date_text,
        author=author,
        language=_language(soup, root) or "en",
        description=head_meta.get("description", ""),
        language_declared=bool(_language(soup, root)),
        site_name=head_meta.get("site_name", ""),
        source_url=head_meta.get("canonical", "") or head_meta.get("og:url", ""),
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
        "og:site_name": "site_name",
        "og:url": "og:url",
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
        found["title"] = element_text(title)
    for link in soup.find_all("link", href=True):
        rel = link.get("rel")
        rels = rel if isinstance(rel, list) else str(rel or "").split()
        href = collapse(str(link["href"]))
        if "canonical" in (r.lower() for r in rels) and href.startswith(("http://", "https://")):
            found.setdefault("canonical", href)
    return found


def _drop_junk(soup: BeautifulSoup) -> None:
    """Remove what is never read: code, widgets, hidden elements, ads, page landmarks.

    The element the extractor picked as the article (``ROOT_MARK``) and its
    ancestors are never dropped (ASP.NET pages wrap everything in a <form>).
    """
    marked = soup.find(True, attrs={ROOT_MARK: True})
    safe = {id(tag) for tag in (marked, *marked.parents)} if isinstance(marked, Tag) else set()
    doomed: list[Tag] = []
    stack: list[Tag] = [soup]
    while stack:  # depth-first, not entering what is already doomed
        for child in stack.pop().children:
            if not isinstance(child, Tag):
                continue
            if id(child) not in safe and (
                child.name in DROP_TAGS or _is_hidden(child) or _is_boilerplate(child)
            ):
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
    parts = re.split(r"[\s_-]+", name or "")
    # Generated names ("orgd7109ad", "x9f3ad") are hashes, not words: "ad" is no advert.
    named = [part for part in parts if not (re.search(r"\d", part) and re.search(r"[a-z]", part))]
    return {word.lower() for part in named for word in _WORDS.findall(part)}


def _drop_footnote_marks(soup: BeautifulSoup) -> None:
    """Footnote references ("<sup><a href="#fn1">1</a></sup>") are noise when read aloud."""
    for sup in soup.find_all("sup"):
        link = sup.find("a", href=True)
        if (
            isinstance(link, Tag)
            and str(link["href"]).startswith("#")
            and _FOOTNOTE_MARK.fullmatch(element_text(sup))
        ):
            sup.decompose()


def _pick_root(soup: BeautifulSoup) -> Tag:
    """The extractor's pick, else the <article> with the most text, else <main>, <body>."""
    marked = soup.find(True, attrs={ROOT_MARK: True})
    if isinstance(marked, Tag):
        return marked
    articles = soup.find_all("article")
    if articles:
        return max(articles, key=lambda tag: len(element_text(tag)))
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
            if element_text(h1):
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
            is_publication_time(time)
            or _is_meta_line(_line_of(time, root), [element_text(time), author])
        ):
            return date, element_text(time), time
    line_date, line_text, line = _date_line(title_el)
    meta_date = parse_date_attr(meta.get("published", ""))
    if meta_date:
        shown = next((t for t, d in dated if d == meta_date), None)
        if shown is None and line_date == meta_date:
            return meta_date, line_text, line
        return meta_date, element_text(shown), shown
    return line_date, line_text, line


def _date_line(title_el: Tag | None) -> tuple[dt.date | None, str, Tag | None]:
    """A paragraph right after the title that is only a date ("Apr, 27 2023")."""
    line = title_el.find_next_sibling() if title_el else None
    if isinstance(line, Tag) and line.name in ("p", "div", "span"):
        date = parse_date_text(element_text(line))
        if date:
            return date, element_text(line), line
    return None, "", None


def is_publication_time(time: Tag) -> bool:
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
        shown_text = element_text(name if isinstance(name, Tag) else shown)
        shown_text = re.split(r"\s+[|·•—–]\s+", re.sub(r"^by\s+", "", shown_text, flags=re.I))[0]
    author = meta.get("author") or meta.get("article:author", "")
    if not author or author.startswith(("http://", "https://")):
        author = shown_text
    return author, shown if isinstance(shown, Tag) else None


def _language(soup: BeautifulSoup, root: Tag) -> str:
    """The declared language of the article, or "" when the page declares none."""
    for tag in (root, soup.find("html")):
        if isinstance(tag, Tag) and str(tag.get("lang") or "").strip():
            return str(tag["lang"]).strip()
    return ""


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
    rest = element_text(line)
    for text in sorted(known, key=len, reverse=True):
        if text:
            rest = rest.replace(text, " ")
    return not _META_FILLER.sub("", rest).strip()

"""Main-content selection for real web pages: which of the page's elements are the article.

trafilatura (tuned on thousands of sites) decides *which text* is the article;
we then keep the page's own elements that hold that text and drop the rest. The
structure walker so still sees the page's sections, lists, tables, figures and
image descriptions, which trafilatura's own output flattens or drops. Metadata
(title, authors, date, description, language, site name, canonical URL) comes
from the page's meta tags, JSON-LD and ``<time>`` elements; a date is never
guessed from the page's free text. Pure: HTML in, HTML and metadata out.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import trafilatura
from bs4 import BeautifulSoup, Tag

from baclovoice.ingest.elements import BLOCK_TAGS, ROOT_MARK, collapse, is_text
from baclovoice.ingest.page import is_publication_time, parse_date_attr

log = logging.getLogger(__name__)

SHINGLE = 4  # words per shingle when matching a block's text to the extracted text
MIN_COVERAGE = 0.5  # share of a block's shingles that must be in the extracted text
REPEATED = 0.8  # share of a block's shingles already read that makes it a repeat
ROOT_SHARE = 0.9  # the article root holds at least this share of the article's words
# Captions that only credit the photographer or agency are not read.
_CREDIT = re.compile(
    r"^\W*(photo|image|picture|credit|source|foto)s?\b[^.]{0,80}[:/]|"
    r"(getty images|shutterstock|associated press|\bap photo\b|reuters|afp|"
    r"photo credit|photograph(ed)? by|photo by|image by|credit:)",
    re.I,
)
_WORD = re.compile(r"\w+")
_BLOCK_LIST = sorted(BLOCK_TAGS)
_DATE_PARAMS = {"extensive_search": False, "original_date": True}


@dataclass(frozen=True)
class Metadata:
    """What the page says about itself; empty strings when it says nothing."""

    title: str = ""
    authors: str = ""
    date: dt.date | None = None
    description: str = ""
    language: str = ""
    site_name: str = ""
    url: str = ""


@dataclass(frozen=True)
class Extraction:
    """A page reduced to its article (``html``), with its metadata and extracted text."""

    html: str
    metadata: Metadata
    text: str = ""  # trafilatura's plain text: the last resort when nothing else is read
    selected: bool = False  # False: the extractor found nothing; ``html`` is the whole page


def extract_article(html: str, url: str = "") -> Extraction:
    """Reduce a web page to its article and read its metadata.

    When the extractor finds no article the page is returned whole, so the
    page cleaning still gets its chance: a page that has text is never empty.
    """
    document = _trafilatura(html, url)
    metadata = _metadata(document, url)
    if document is None or document.body is None:
        return Extraction(html, metadata)
    reference = Reference.of(document.body)
    if not reference.words:
        return Extraction(html, metadata)
    soup = BeautifulSoup(html, "lxml")  # fast on big pages; only selects, never renders
    shown = _shown_date(soup)
    if shown is not None:  # a date the page shows as its publication date beats markup
        metadata = replace(metadata, date=shown)
    if not select_blocks(soup, reference, metadata.title):
        return Extraction(html, metadata, document.text or "")
    return Extraction(str(soup), metadata, document.text or "", selected=True)


def _trafilatura(html: str, url: str) -> Any:
    try:
        return trafilatura.bare_extraction(
            html,
            url=url or None,
            include_comments=False,
            include_tables=True,
            include_images=True,
            with_metadata=True,
            date_extraction_params=_DATE_PARAMS,
        )
    except (ValueError, TypeError, RecursionError) as err:  # broken markup: fall back
        log.debug("trafilatura failed: %s", err)
        return None


def _metadata(document: Any, url: str) -> Metadata:
    if document is None:
        return Metadata(url=url)
    return Metadata(
        title=collapse(document.title or ""),
        authors=collapse((document.author or "").replace(";", ",")),
        date=_iso_date(document.date),
        description=collapse(document.description or ""),
        language=collapse(document.language or ""),
        site_name=collapse(document.sitename or ""),
        url=document.url or url,
    )


def _shown_date(soup: BeautifulSoup) -> dt.date | None:
    """The first <time> the page marks as its publication date (pubdate, itemprop...)."""
    for time in soup.find_all("time", datetime=True):
        if is_publication_time(time):
            date = parse_date_attr(str(time["datetime"]))
            if date is not None:
                return date
    return None


def _iso_date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


# --- matching ------------------------------------------------------------------------


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _shingles(tokens: list[str]) -> Iterator[tuple[str, ...]]:
    for i in range(len(tokens) - SHINGLE + 1):
        yield tuple(tokens[i : i + SHINGLE])


@dataclass
class Reference:
    """The extracted article as sets that page blocks are matched against."""

    words: list[str] = field(default_factory=list)
    shingles: set[tuple[str, ...]] = field(default_factory=set)
    segments: set[str] = field(default_factory=set)  # each element's whole text
    images: set[str] = field(default_factory=set)  # image sources
    joined: str = ""  # every word, space-separated, with a space at both ends

    @classmethod
    def of(cls, body: Any) -> Reference:
        ref = cls()
        for element in body.iter():
            if element.tag == "graphic" and element.get("src"):
                ref.images.add(str(element.get("src")))
            text = " ".join(words("".join(element.itertext())))
            if text:
                ref.segments.add(text)
        ref.words = words(" ".join(body.itertext()))
        ref.shingles = set(_shingles(ref.words))
        ref.joined = f" {' '.join(ref.words)} "
        return ref

    def mentions(self, text: str) -> bool:
        """True if ``text``'s words occur in a row somewhere in the extracted text."""
        tokens = words(text)
        return bool(tokens) and f" {' '.join(tokens)} " in self.joined

    def covers(self, text: str) -> bool:
        """True if ``text`` is the extractor's: most shingles, or a whole short element."""
        tokens = words(text)
        if not tokens:
            return False
        if len(tokens) < SHINGLE:
            return " ".join(tokens) in self.segments
        grams = list(_shingles(tokens))
        found = sum(1 for gram in grams if gram in self.shingles)
        return found >= MIN_COVERAGE * len(grams)


# --- selecting -----------------------------------------------------------------------


def select_blocks(soup: BeautifulSoup, reference: Reference, title: str) -> bool:
    """Drop the page's text blocks that are not the article; False if none is.

    A block is the nearest block element owning a run of text. Images the
    extractor kept stay, with their figure's caption (unless it only credits a
    photographer); a heading that is only an image stays if it is inside the
    article; the title heading stays for the metadata reader.
    """
    for marked in soup.find_all(True, attrs={ROOT_MARK: True}):
        del marked[ROOT_MARK]
    order = {id(tag): n for n, tag in enumerate(soup.find_all(True))}
    blocks = _owned_text(soup)
    keep = {key: reference.covers(text) for key, (_tag, text) in blocks.items()}
    kept_positions = [order[key] for key, ok in keep.items() if ok and key in order]
    if not kept_positions:
        return False
    span = (min(kept_positions), max(kept_positions))
    for key, (tag, text) in blocks.items():  # short blocks inside the article: "5 mg"
        if not keep[key] and len(words(text)) < SHINGLE and _inside_span(tag, order, span):
            keep[key] = reference.mentions(text)
    _keep_data_tables(blocks, keep)
    _drop_repeats(blocks, keep)
    root = _main_container(
        [(tag, len(words(text))) for key, (tag, text) in blocks.items() if keep[key]]
    )
    title_words = " ".join(words(title))
    for key, (tag, _text) in blocks.items():
        if not (keep[key] or _spared(tag, reference, title_words)):
            _drop_own_content(tag, reference)
    for img in soup.find_all("img"):
        if not _image_kept(img, reference) and root not in img.parents:
            img.decompose()
    root[ROOT_MARK] = "1"
    return True


def _main_container(kept: list[tuple[Tag, int]]) -> Tag:
    """The innermost element holding nearly all the kept words (``ROOT_SHARE``).

    Not the common ancestor of every kept block: one stray block (a headline in
    the page header, a pull quote in a sidebar) would make it the whole <body>.
    """
    total = sum(count for _tag, count in kept) or 1
    counts: dict[int, int] = {}
    depth: dict[int, int] = {}
    tags: dict[int, Tag] = {}
    for tag, count in kept:
        chain = [tag, *tag.parents]
        for level, element in enumerate(reversed(chain)):
            counts[id(element)] = counts.get(id(element), 0) + count
            depth[id(element)] = level
            tags[id(element)] = element
    holding = [key for key, count in counts.items() if count >= ROOT_SHARE * total]
    best = tags[max(holding, key=lambda key: depth[key])]
    if best.name == "[document]":
        inner = best.find("body") or best.find("html")
        return inner if isinstance(inner, Tag) else kept[0][0]
    return best


def _owned_text(soup: BeautifulSoup) -> dict[int, tuple[Tag, str]]:
    """Each block element's own text (not that of blocks nested in it), in page order.

    Inline pieces join without a space ("H<sub>2</sub>O" is one word); <br> and
    nested blocks are spaces; MathML's text is left out (extractors drop it).
    """
    body = soup.find("body")
    start = body if isinstance(body, Tag) else soup
    owned: dict[int, tuple[Tag, list[str]]] = {id(start): (start, [])}
    stack: list[tuple[Iterator[Any], Tag]] = [(iter(start.children), start)]
    while stack:  # iterative and in order: junk HTML nests thousands deep
        children, owner = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
        elif isinstance(child, Tag):
            if child.name in ("br", "math") or child.name in BLOCK_TAGS:
                owned[id(owner)][1].append(" ")
            if child.name not in ("br", "math"):
                inner = child if child.name in BLOCK_TAGS else owner
                owned.setdefault(id(inner), (inner, []))
                stack.append((iter(child.children), inner))
        elif is_text(child):
            owned[id(owner)][1].append(str(child))
    texts = {key: (tag, collapse("".join(parts))) for key, (tag, parts) in owned.items()}
    return {key: value for key, value in texts.items() if value[1]}


def _drop_repeats(blocks: dict[int, tuple[Tag, str]], keep: dict[int, bool]) -> None:
    """A block saying again what the article already says is dropped (captions last).

    Pages repeat their standfirst in a caption or a pull quote; the extractor's
    text has it once, and shingle matching would otherwise keep every copy.
    """
    seen: set[tuple[str, ...]] = set()
    ordered = sorted(blocks, key=lambda key: blocks[key][0].name == "figcaption")
    for key in ordered:
        if not keep[key]:
            continue
        grams = set(_shingles(words(blocks[key][1])))
        if grams and len(grams & seen) >= REPEATED * len(grams):
            keep[key] = False
        seen |= grams


def _keep_data_tables(blocks: dict[int, tuple[Tag, str]], keep: dict[int, bool]) -> None:
    """A data table whose cells are mostly the article's is kept whole (short cells too)."""
    tables: dict[int, list[int]] = {}
    for key, (tag, _text) in blocks.items():
        if tag.name in ("td", "th", "caption"):
            table = tag.find_parent("table")
            if table is not None and table.find("table") is None:
                tables.setdefault(id(table), []).append(key)
    for keys in tables.values():
        sizes = [len(words(blocks[k][1])) for k in keys]
        matched = sum(size for k, size in zip(keys, sizes, strict=True) if keep[k])
        if matched and matched >= 0.5 * sum(sizes):
            keep.update(dict.fromkeys(keys, True))


def _spared(tag: Tag, reference: Reference, title: str) -> bool:
    if tag.name == "h1" and title and " ".join(words(_text(tag))) == title:
        return True
    if tag.name == "figcaption":
        figure = tag.find_parent("figure")
        images = figure.find_all("img") if figure is not None else []
        kept = any(_image_kept(img, reference) for img in images)
        return kept and not is_credit(_text(tag))
    return False


def _inside_span(tag: Tag, order: dict[int, int], span: tuple[int, int]) -> bool:
    return span[0] <= order.get(id(tag), -1) <= span[1]


def _image_kept(img: Tag, reference: Reference) -> bool:
    return str(img.get("src") or "") in reference.images


def is_credit(caption: str) -> bool:
    """True for a caption that only credits a photo ("Photo: Jane Doe/Getty Images")."""
    return bool(_CREDIT.search(caption)) and len(words(caption)) <= 25


def _drop_own_content(tag: Tag, reference: Reference) -> None:
    """Remove a block's own text and inline elements; nested blocks decide for themselves."""
    for child in list(tag.children):
        if isinstance(child, Tag):
            if child.name in BLOCK_TAGS or child.find(_BLOCK_LIST) is not None:
                continue
            if child.name == "img" and _image_kept(child, reference):
                continue
        child.extract()


def _text(tag: Tag) -> str:
    return collapse(tag.get_text(" "))

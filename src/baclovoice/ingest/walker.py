"""The structure walker: a cleaned article root in, sections of ``Block``s out.

One block per paragraph, list item, table row, quote paragraph, image description,
caption or code block, in reading order; sections start at the section headings.
Pure: ``parse_article`` takes an HTML string and returns an ``Article``.
"""

from __future__ import annotations

import html as htmllib
import itertools
import logging
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from bs4 import Tag

from baclovoice.errors import ContentError
from baclovoice.ingest.elements import (
    BLOCK_TAGS,
    BR,
    HEADINGS,
    INVISIBLE,
    collapse,
    element_text,
    is_text,
    math_text,
    text_line,
    text_pieces,
    too_deep,
)
from baclovoice.ingest.page import read_page
from baclovoice.models import Article, Block, Section
from baclovoice.slugs import RESERVED_IDS, element_id

log = logging.getLogger(__name__)

INTRODUCTION = "Introduction"
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
    """image img photo picture pic icon logo spacer graphic banner placeholder author avatar
    headshot profile thumbnail""".split()
)
_FILENAME = re.compile(r"\.(jpe?g|png|gif|webp|avif|svg|bmp|tiff?)$", re.I)


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
    title = unescape_leftovers(page.title)
    sections = _sections(walker.finish(), title)
    if not any(section.blocks for section in sections):
        raise ContentError(
            f"Article {slug!r} has no narratable text.",
            "Put paragraphs (<p>) inside <article>, <main> or <body>; hidden elements, "
            "navigation and ads are not read.",
        )
    return Article(
        slug=slug,
        title=title,
        sections=sections,
        date=page.date,
        author=page.author,
        language=page.language,
        description=page.description,
        source_url=page.source_url,
        site_name=page.site_name,
    )


def _paragraphs(pieces: Iterable[str]) -> list[str]:
    """Split gathered text at double <br> (junk HTML's paragraphs) and collapse each part."""
    joined = "".join(pieces)
    parts = re.split(rf"{BR}\s*{BR}[\s{BR}]*", joined)
    return [text for text in (collapse(p.replace(BR, " ")) for p in parts) if text]


_LEFTOVER_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});")


def unescape_leftovers(text: str) -> str:
    """Unescape entities a page escaped twice ("&#39;" shown as such) once more.

    Otherwise "&#39;" is read "and number thirty-nine"; code blocks keep theirs.
    """
    return _LEFTOVER_ENTITY.sub(lambda m: htmllib.unescape(m.group()), text)


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
            if is_text(child):
                self.buffer.append(str(child).replace(BR, ""))
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
            self.buffer.append(BR)
        elif name == "math":
            self.buffer.append(math_text(tag))
        elif name == "hr":
            self.flush()
        elif name in BLOCK_TAGS or _has_block(tag):
            self.flush()
            self.walk(tag)
            self.flush()
        else:
            self.buffer.extend(text_pieces(tag, self.images, frozenset()))

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
        text = element_text(tag) or _alt_text(tag)
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
        for text in _paragraphs(text_pieces(tag, images, frozenset())):
            self.emit("quote" if self.quoting else "paragraph", text)
        self.emit_images(images)

    def caption(self, tag: Tag) -> None:
        self.emit("caption", element_text(tag))

    def code(self, tag: Tag) -> None:
        lines = [line.rstrip() for line in tag.get_text().translate(INVISIBLE).splitlines()]
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
            pieces = text_pieces(item, images, _LISTS)
            entries.append((text_line(pieces), images, _nested_lists(item)))
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
            text = element_text(child)
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
        rows = [row for row in _table_rows(tag) if any(element_text(c) for c in row)]
        header = rows.pop(0) if len(rows) > 1 and _is_header_row(rows[0], tag) else []
        headers = [element_text(cell) for cell in header]
        caption = tag.find("caption")
        caption_text = element_text(caption).rstrip(".:;") if isinstance(caption, Tag) else ""
        if not rows:
            return
        announce = f"Table, {_count(len(rows), 'row')}"
        self.announce_block(f"{announce}: {caption_text}." if caption_text else f"{announce}.")
        for row in rows:
            images: list[Tag] = []
            cells = [text_line(text_pieces(cell, images, frozenset())) for cell in row]
            self.emit("table-row", _row_text(headers, cells, row))
            self.emit_images(images)

    def announce_block(self, text: str) -> None:
        self.announce = " ".join(part for part in (self.announce, text) if part)


def _alt_text(tag: Tag) -> str:
    """The words of a heading that is only an image (a logo-like title): its alt text."""
    return collapse(" ".join(str(img.get("alt") or "") for img in tag.find_all("img")))


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
            groups.append((unescape_leftovers(item.text), []))
        else:
            groups[-1][1].append(item)
    if len(groups) == 1:
        groups = [(title, groups[0][1])]  # no section headings: one section, the article
    elif not groups[0][1]:
        groups.pop(0)
    used: set[str] = set(RESERVED_IDS)
    section_ids = [
        _unique(element_id(name, f"section-{n}"), used)
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
        text = item.text if item.kind == "code" else unescape_leftovers(item.text)
        blocks.append(Block(block_id, item.kind, text, item.level, item.announce))
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

"""The read-along book's XHTML: one content document per section, the navigation document
and the style sheet. Pure: a manifest's transcript in, serialized XHTML out.

The markup mirrors the player page (``templates/_transcript.html``): the same element
ids, one ``<span>`` per timed sentence with the page's sentence id, list items gathered
into lists, so a reader can go between the book, the page and the captions.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from lxml import etree

from baclovoice.humanize import long_date
from baclovoice.models import Manifest
from baclovoice.slugs import PUBLISHED_ID, TITLE_ID
from baclovoice.transcript import ArticleView, BlockView, Piece, SectionView, Span

XHTML_NS = "http://www.w3.org/1999/xhtml"
EPUB_NS = "http://www.idpf.org/2007/ops"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
XHTML_TYPE = "application/xhtml+xml"
ACTIVE_CLASS = "-epub-media-overlay-active"  # media:active-class, styled below
PLAYING_CLASS = "-epub-media-overlay-playing"  # media:playback-active-class

# Sizes in em and %, no fixed fonts or colours for the text: the reader's own settings
# win (displayTransformability). The sentence being read gets black on yellow (17:1)
# and an outline that stays visible when a reading system inverts colours.
STYLESHEET = f"""\
body {{ line-height: 1.5; }}
h1, h2, h3, h4, h5, h6 {{ line-height: 1.25; }}
blockquote {{ margin: 1em 0 1em 1.5em; padding-left: 1em; border-left: 0.2em solid; }}
pre {{ white-space: pre-wrap; }}
.bv-meta, .bv-voice {{ font-style: italic; }}
.bv-image, .bv-caption {{ font-style: italic; }}
.{ACTIVE_CLASS} {{
  background-color: #ffe14d;
  color: #000;
  outline: 0.15em solid #000;
  border-radius: 0.1em;
}}
"""


@dataclass(frozen=True)
class Document:
    """A serialized XHTML content document and the element ids it contains."""

    xhtml: bytes
    ids: frozenset[str]


class _Writer:
    """Builds one XHTML tree, remembering every id it hands out."""

    def __init__(self, title: str, language: str, stylesheet: str) -> None:
        self.ids: set[str] = set()
        self.root = etree.Element(f"{{{XHTML_NS}}}html", nsmap={None: XHTML_NS, "epub": EPUB_NS})
        self.root.set("lang", language)
        self.root.set(XML_LANG, language)
        head = etree.SubElement(self.root, f"{{{XHTML_NS}}}head")
        etree.SubElement(head, f"{{{XHTML_NS}}}meta", charset="utf-8")
        etree.SubElement(head, f"{{{XHTML_NS}}}title").text = title
        if stylesheet:
            link = etree.SubElement(head, f"{{{XHTML_NS}}}link", rel="stylesheet")
            link.set("type", "text/css")
            link.set("href", stylesheet)
        self.body = etree.SubElement(self.root, f"{{{XHTML_NS}}}body")

    def add(self, parent: etree._Element, tag: str, id: str = "", **attrs: str) -> etree._Element:
        element = etree.SubElement(parent, f"{{{XHTML_NS}}}{tag}", **attrs)
        if id:
            element.set("id", id)
            self.ids.add(id)
        return element

    def fill(self, element: etree._Element, pieces: Iterable[Piece]) -> etree._Element:
        """Text and sentence spans, in order; strings become text or the previous tail."""
        last: etree._Element | None = None
        for piece in pieces:
            if isinstance(piece, Span):
                last = self.add(element, "span", piece.id)
                last.text = piece.text
            elif last is None:
                element.text = (element.text or "") + piece
            else:
                last.tail = (last.tail or "") + piece
        return element

    def document(self) -> Document:
        xhtml = etree.tostring(
            self.root, xml_declaration=True, encoding="UTF-8", doctype="<!DOCTYPE html>"
        )
        return Document(xhtml, frozenset(self.ids))


def _block(w: _Writer, parent: etree._Element, block: BlockView) -> None:
    if block.kind == "heading":
        w.fill(w.add(parent, f"h{min(max(block.level, 3), 6)}", block.id), block.pieces)
    elif block.kind == "quote":
        w.fill(w.add(w.add(parent, "blockquote", block.id), "p"), block.pieces)
    elif block.kind == "code":
        w.fill(w.add(w.add(parent, "pre", block.id), "code"), block.pieces)
    elif block.kind in ("image", "caption", "table-row"):
        w.fill(w.add(parent, "p", block.id, **{"class": f"bv-{block.kind}"}), block.pieces)
    else:
        w.fill(w.add(parent, "p", block.id), block.pieces)


def _article_head(w: _Writer, parent: etree._Element, view: ArticleView, notice: str) -> None:
    """The title block the narration of section 1 opens with."""
    m = view.manifest
    header = w.add(parent, "header")
    w.fill(w.add(header, "h1", TITLE_ID), view.title)
    if view.published is not None:
        w.fill(w.add(header, "p", PUBLISHED_ID, **{"class": "bv-meta"}), (view.published,))
    elif m.date is not None:
        w.add(
            header, "p", PUBLISHED_ID, **{"class": "bv-meta"}
        ).text = f"Published {long_date(m.date)}"
    if m.author:
        w.add(header, "p", **{"class": "bv-meta"}).text = f"By {m.author}"
    w.add(header, "p", **{"class": "bv-voice"}).text = notice


def section_document(
    view: ArticleView, section: SectionView, language: str, stylesheet: str, notice: str
) -> Document:
    """One section as an XHTML content document; section 1 also carries the title and
    ``notice``, which tells the reader that the voice is synthetic."""
    entry = section.entry
    w = _Writer(entry.title if entry.number > 1 else view.manifest.title, language, stylesheet)
    if entry.number == 1:
        _article_head(w, w.body, view, notice)
    body = w.add(w.body, "section", **{"aria-labelledby": entry.id})
    body.set(f"{{{EPUB_NS}}}type", "chapter")
    body.set("role", "doc-chapter")
    w.fill(w.add(body, "h2", entry.id), section.heading)
    for group in section.groups:
        if group.kind == "list":
            items = w.add(body, "ul")
            for block in group.blocks:
                w.fill(w.add(items, "li", block.id), block.pieces)
        else:
            _block(w, body, group.blocks[0])
    return w.document()


@dataclass(frozen=True)
class NavEntry:
    title: str
    href: str


def nav_document(
    title: str, language: str, entries: Sequence[NavEntry], stylesheet: str, start: str
) -> bytes:
    """The EPUB navigation document: the sections as a table of contents, and landmarks."""
    w = _Writer(title, language, stylesheet)
    toc = w.add(w.body, "nav", "toc", role="doc-toc", **{"aria-labelledby": "toc-heading"})
    toc.set(f"{{{EPUB_NS}}}type", "toc")
    w.add(toc, "h1", "toc-heading").text = "Contents"
    items = w.add(toc, "ol")
    for entry in entries:
        w.add(w.add(items, "li"), "a", href=entry.href).text = entry.title
    landmarks = w.add(w.body, "nav", "landmarks", hidden="hidden")
    landmarks.set(f"{{{EPUB_NS}}}type", "landmarks")
    w.add(landmarks, "h2").text = "Landmarks"
    marks = w.add(landmarks, "ol")
    link = w.add(w.add(marks, "li"), "a", href=start)
    link.set(f"{{{EPUB_NS}}}type", "bodymatter")
    link.text = "Start of the article"
    return w.document().xhtml


def language_of(manifest: Manifest) -> str:
    """BCP 47, as EPUB wants it: "en_US" becomes "en-US"; empty means English."""
    return manifest.language.replace("_", "-") or "en"

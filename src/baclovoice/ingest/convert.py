"""Converting a source (plain text, Markdown, HTML) into one clean, semantic HTML document.

What is stored is small, readable and diff-friendly, and parses into exactly the
article the source described: page cleaning (``read_page``) decides what stays.
Pure: strings in, a string out.
"""

from __future__ import annotations

import html as htmllib
import logging
import re
from collections.abc import Callable

import markdown
from bs4 import Comment, NavigableString, Tag

from baclovoice.errors import ContentError
from baclovoice.humanize import long_date
from baclovoice.ingest.elements import (
    BLOCK_TAGS,
    CONTROL_CHARS,
    collapse,
    math_text,
    too_deep,
)
from baclovoice.ingest.extract import Metadata, extract_article
from baclovoice.ingest.page import DROP_TAGS, parse_date_text, read_page
from baclovoice.ingest.walker import parse_article

log = logging.getLogger(__name__)

MARKDOWN_EXTENSIONS = ("extra", "sane_lists")
# Closing punctuation that makes a short line a sentence rather than a heading.
_SENTENCE_END = tuple(".!?:;,…")
_CLOSERS = "\"')]}»”’"
_BULLET = re.compile(r"^[-*•]\s+")
_NUMBER = re.compile(r"^\d{1,3}[.)]\s+")
HEADING_MAX = 90

# Clean HTML keeps these elements; others are unwrapped (their content stays).
KEEP_TAGS = frozenset(
    """p h1 h2 h3 h4 h5 h6 ul ol li dl dt dd blockquote figure figcaption table caption
    thead tbody tfoot tr th td pre hr details summary a em strong b i u s small mark abbr
    cite code q sup sub br img time kbd var dfn del ins""".split()
)
KEEP_ATTRS = {
    "a": ("href", "title"),
    "img": ("src", "alt", "width", "height"),
    "time": ("datetime",),
    "td": ("colspan", "rowspan"),
    "th": ("colspan", "rowspan", "scope"),
    "ol": ("start", "reversed"),
    "abbr": ("title",),
    "blockquote": ("cite",),
    "q": ("cite",),
}
GLOBAL_ATTRS = ("lang", "dir")
VOID_TAGS = frozenset({"br", "hr", "img", "meta"})
INDENT = "  "

# Each converter returns a full clean document; the hint says how to give it a title.
_TITLE_HINTS = {
    "text": "Put the article's title on the first line of the file.",
    "markdown": "Start the Markdown file with a '# Title' line.",
    "html": "Add an <h1> heading (or a <title> element) with the article's title.",
}
TEXT_HINTS = {
    "text": "Add paragraphs after the title line, separated by blank lines.",
    "markdown": "Add paragraphs after the '# Title' line.",
    "html": "Put paragraphs (<p>) inside <article>, <main> or <body>; hidden elements, "
    "navigation and ads are not read.",
}

# --- reading -------------------------------------------------------------------------


# --- converters ----------------------------------------------------------------------


def text_to_html(text: str) -> str:
    """Plain text to a clean document.

    Format: the first non-empty line is the title; a date line may follow; then
    blank-line separated blocks. A one-line block of at most 90 characters without
    closing punctuation is a section heading; lines all starting with "- " or
    "1." are a list; anything else is a paragraph (soft line breaks joined).
    """
    blocks = _text_blocks(text)
    if not blocks:
        raise ContentError("The text has no title.", _TITLE_HINTS["text"])
    title = " ".join(blocks[0])
    parts = [f"<h1>{_esc(title)}</h1>"]
    rest = blocks[1:]
    date = parse_date_text(rest[0][0]) if rest and len(rest[0]) == 1 else None
    if date is not None:
        shown = _esc(rest.pop(0)[0])
        parts.append(f'<p><time datetime="{date.isoformat()}">{shown}</time></p>')
    parts.extend(_text_block_html(lines) for lines in rest)
    return _document("\n".join(parts), "text")


def markdown_to_html(text: str) -> str:
    """Markdown (with tables, fenced code, footnotes...) to a clean document."""
    fragment = markdown.markdown(text, extensions=list(MARKDOWN_EXTENSIONS))
    return _document(fragment, "markdown")


def clean_html(html: str, url: str = "") -> str:
    """Any article HTML (a saved web page too) to a clean document of the article alone.

    The main-content extractor picks the article's elements; if what it picked
    has nothing to read, the whole page is cleaned instead, and as a last resort
    the extractor's plain text is used: a page with an article is never empty.
    """
    if is_plain(html):  # already clean: nothing to extract, and the extractor may drop text
        return _document(html, "html")
    extraction = extract_article(html, url)
    candidates = [extraction.html, html] if extraction.selected else [html]
    document = ""
    for candidate in candidates:
        document = _document(candidate, "html", extraction.metadata)
        if _readable(document):
            return document
    if extraction.text.strip():
        paragraphs = [collapse(p) for p in extraction.text.split("\n")]
        fragment = "".join(f"<p>{_esc(p)}</p>" for p in paragraphs if p)
        return _document(fragment, "html", extraction.metadata)
    return document


# Elements and attributes no clean document has, and every web page does.
_PAGE_TAGS = DROP_TAGS - {"head", "title", "meta", "link"} | {"header", "footer"}
_PAGE_MARKS = re.compile(
    rf"<(?:{'|'.join(sorted(_PAGE_TAGS))})\b|<[a-zA-Z][^>]*\s(?:class|id|style|role)\s*=", re.I
)


def is_plain(html: str) -> bool:
    """True for a clean, hand-written or already imported article: no page furniture.

    A text scan, not a parse: it runs on every imported page.
    """
    return _PAGE_MARKS.search(html) is None


def _readable(document: str) -> bool:
    try:
        article = parse_article(document, "page")
    except ContentError:
        return False
    return any(section.blocks for section in article.sections)


CONVERTERS: dict[str, Callable[[str], str]] = {
    "text": text_to_html,
    "markdown": markdown_to_html,
    "html": clean_html,
}
SUFFIXES = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
}


def _text_blocks(text: str) -> list[list[str]]:
    """Blank-line separated groups of stripped, non-empty lines; the title is its own group."""
    blocks: list[list[str]] = []
    current: list[str] = []
    for raw in text.replace("\ufeff", "").splitlines():
        line = collapse(raw)
        if line:
            current.append(line)
            if len(blocks) == 0:  # the first non-empty line is the title on its own
                blocks.append(current)
                current = []
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _text_block_html(lines: list[str]) -> str:
    for pattern, tag in ((_BULLET, "ul"), (_NUMBER, "ol")):
        if all(pattern.match(line) for line in lines) and (tag == "ul" or len(lines) > 1):
            items = "".join(f"<li>{_esc(pattern.sub('', line))}</li>" for line in lines)
            return f"<{tag}>{items}</{tag}>"
    if len(lines) == 1 and is_heading_line(lines[0]):
        return f"<h2>{_esc(lines[0])}</h2>"
    return f"<p>{_esc(' '.join(lines))}</p>"


def is_heading_line(line: str) -> bool:
    """A short line without closing punctuation (ignoring closing quotes and brackets)."""
    bare = line.strip().rstrip(_CLOSERS)
    return (
        0 < len(line) <= HEADING_MAX
        and not bare.endswith(_SENTENCE_END)
        and any(c.isalpha() for c in line)
    )


def _esc(text: str) -> str:
    return htmllib.escape(text, quote=False)


# --- clean document ------------------------------------------------------------------


def _document(html: str, kind: str, found: Metadata | None = None) -> str:
    """Read the article out of ``html`` and write it as one indented, minimal document.

    What the page itself shows (its <h1>, <time>, byline, meta tags) wins; ``found``
    (the extractor's metadata: JSON-LD, Open Graph, ...) fills what it leaves out.
    """
    found = found or Metadata()
    try:
        page = read_page(html)
        _sanitize(page.root)
        body: list[str] = []
        _render_children(page.root, 2, body)
    except RecursionError:
        raise too_deep("The document") from None
    title = page.title or found.title
    if not title:
        raise ContentError("The document has no title.", _TITLE_HINTS[kind])
    language = page.language if page.language_declared else found.language or page.language
    lines = ["<!doctype html>", f'<html lang="{_attr(language)}">', "<head>"]
    lines.append(f'{INDENT}<meta charset="utf-8">')
    lines.append(f"{INDENT}<title>{_esc(title)}</title>")
    metas = (
        ("author", page.author or found.authors),
        ("description", page.description or found.description),
        ("og:site_name", page.site_name or found.site_name),
    )
    for name, value in metas:
        if value:
            key = "property" if name.startswith("og:") else "name"
            lines.append(f'{INDENT}<meta {key}="{name}" content="{_attr(value)}">')
    source_url = page.source_url or found.url
    if source_url and _safe_url(source_url) and "://" in source_url:
        lines.append(f'{INDENT}<link rel="canonical" href="{_attr(source_url)}">')
    lines += ["</head>", "<body>", f"{INDENT}<article>", f"{INDENT * 2}<h1>{_esc(title)}</h1>"]
    date, date_text = (page.date, page.date_text) if page.date else (found.date, "")
    if date is not None:
        shown = date_text or long_date(date)
        time = f'<time datetime="{date.isoformat()}">{_esc(shown)}</time>'
        lines.append(f"{INDENT * 2}<p>{time}</p>")
    lines += body
    lines += [f"{INDENT}</article>", "</body>", "</html>", ""]
    return "\n".join(lines)


def _attr(value: str) -> str:
    return htmllib.escape(value, quote=True)


def _sanitize(root: Tag) -> None:
    """Keep semantic elements and safe attributes; unwrap layout and unknown elements."""
    for comment in root.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()
    for math in root.find_all("math"):  # stored as the words it is read as
        math.replace_with(NavigableString(math_text(math)))
    for text in root.find_all(string=_has_controls):  # ESC, BEL...: never stored
        text.replace_with(NavigableString(str(text).translate(CONTROL_CHARS)))
    for tag in reversed(root.find_all(True)):  # innermost first
        if tag.name not in KEEP_TAGS:
            _replace_container(tag)
            continue
        allowed = KEEP_ATTRS.get(tag.name, ()) + GLOBAL_ATTRS
        tag.attrs = {k: v for k, v in tag.attrs.items() if k in allowed and isinstance(v, str)}
        for key in ("href", "src"):
            if key in tag.attrs and not _safe_url(str(tag.attrs[key])):
                del tag.attrs[key]


def _has_controls(text: str | None) -> bool:
    return bool(text) and any(ord(c) in CONTROL_CHARS for c in str(text))


def _replace_container(tag: Tag) -> None:
    """A wrapper with loose text becomes <p> (or stays a <div> around blocks); others unwrap."""
    loose = any(isinstance(c, NavigableString) and c.strip() for c in tag.children)
    if tag.name in BLOCK_TAGS and loose:
        tag.name = "div" if tag.find(sorted(BLOCK_TAGS)) else "p"
        tag.attrs = {}
    else:
        tag.unwrap()


def _render_children(tag: Tag, depth: int, lines: list[str]) -> None:
    """One line per block element; each run of inline elements and text is one line."""
    run: list[str] = []
    for child in tag.children:
        if isinstance(child, Tag) and child.name in BLOCK_TAGS:
            _flush_run(run, depth, lines)
            _render(child, depth, lines)
        else:
            run.append(_inline(child))
    _flush_run(run, depth, lines)


def _flush_run(run: list[str], depth: int, lines: list[str]) -> None:
    text = collapse("".join(run))
    if text:
        lines.append(INDENT * depth + text)
    run.clear()


def _render(tag: Tag, depth: int, lines: list[str]) -> None:
    pad = INDENT * depth
    if tag.name not in VOID_TAGS and not _has_content(tag):
        return
    if tag.name == "pre":
        lines.append(pad + _open(tag) + tag.decode_contents(formatter="minimal") + "</pre>")
    elif any(isinstance(c, Tag) and c.name in BLOCK_TAGS for c in tag.children):
        lines.append(pad + _open(tag))
        _render_children(tag, depth + 1, lines)
        lines.append(f"{pad}</{tag.name}>")
    elif tag.name in VOID_TAGS:
        lines.append(pad + _open(tag))
    else:
        inner = collapse("".join(_inline(child) for child in tag.children))
        lines.append(f"{pad}{_open(tag)}{inner}</{tag.name}>")


def _has_content(tag: Tag) -> bool:
    """False for an element left empty by cleaning (no text, no image, no rule)."""
    return bool(tag.get_text().strip()) or tag.find(["img", "hr"]) is not None


def _inline(node: object) -> str:
    """Inline HTML with whitespace runs squeezed (not stripped: spaces separate words)."""
    if isinstance(node, Tag):
        if node.name in VOID_TAGS:
            return _open(node)
        inner = "".join(_inline(child) for child in node.children)
        return f"{_open(node)}{inner}</{node.name}>"
    if type(node) is NavigableString:
        return _esc(" ".join(f"^{node}$".split())[1:-1])
    return ""


def _open(tag: Tag) -> str:
    attrs = "".join(f' {key}="{_attr(str(value))}"' for key, value in tag.attrs.items())
    return f"<{tag.name}{attrs}>"


def _safe_url(url: str) -> bool:
    """Relative links and http(s)/mailto URLs; never javascript: or data: ones.

    Browsers ignore tabs and newlines anywhere in a URL and controls and spaces
    around it ("jav&#x09;ascript:" is javascript:), so the check does too.
    """
    url = re.sub(r"[\t\n\r]", "", url).strip("".join(map(chr, range(0x21))))
    scheme = re.match(r"^([a-zA-Z][a-zA-Z0-9+.-]*):", url)
    return scheme is None or scheme.group(1).lower() in ("http", "https", "mailto")

"""Text of HTML elements: gathering an element's words the way a listener should hear them.

Shared by page cleaning and the structure walker; pure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from bs4 import NavigableString, Tag
from bs4.element import (
    PreformattedString,
    RubyParenthesisString,
    Script,
    Stylesheet,
    TemplateString,
)

from baclovoice.errors import ContentError

PARSER = "html.parser"
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

# Marks the element an extractor picked as the article (``extract.select_blocks``).
ROOT_MARK = "data-bv-article"
BR = "\x00"  # stands for <br> while text is gathered
# Invisible characters and control characters (ESC, BEL...): never shown, never spoken.
CONTROLS = [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0)]
CONTROL_CHARS = dict.fromkeys(CONTROLS)
INVISIBLE = dict.fromkeys([*map(ord, "\u00ad\u200b\u2060\ufeff"), *CONTROLS])


def too_deep(what: str) -> ContentError:
    """The error for HTML nested too deeply to walk (hundreds of levels: broken markup)."""
    return ContentError(
        f"{what} is nested too deeply to read.",
        "Simplify the HTML: close unclosed elements or remove wrapper <div>s.",
    )


def collapse(text: str) -> str:
    """Collapse runs of whitespace (nbsp included) and drop invisible and control characters."""
    return " ".join(text.replace("\t", " ").replace("\n", " ").translate(INVISIBLE).split())


# --- MathML --------------------------------------------------------------------------

_POWERS = {"2": "squared", "3": "cubed"}
_OPERATORS = {"-": "minus", "\u2212": "minus", "\u00b1": "plus or minus", "\u2062": ""}
_MATH_SKIPPED = frozenset({"annotation", "annotation-xml", "none", "mprescripts"})


def math_text(tag: Tag) -> str:
    """MathML as words a listener follows: its alt text, else "x = 1/2", "x squared"."""
    alt = collapse(str(tag.get("alttext") or tag.get("aria-label") or ""))
    return alt or collapse(_math(tag))


def _math(tag: Tag) -> str:
    parts = [c for c in tag.children if isinstance(c, Tag) and c.name not in _MATH_SKIPPED]
    args = [collapse(_math(c)) for c in parts]
    name = tag.name
    if name in ("mi", "mn", "mtext", "ms"):
        return tag.get_text()
    if name == "mo":
        symbol = tag.get_text().strip()
        return f" {_OPERATORS.get(symbol, symbol)} "
    if name == "mfrac" and len(args) == 2:
        if all(re.fullmatch(r"\d+", a) for a in args):
            return f" {args[0]}/{args[1]} "
        return f" {_group(args[0])} over {_group(args[1])} "
    if name in ("msup", "msubsup") and len(args) >= 2:
        power = args[-1]
        base = " ".join(args[:-1]) if name == "msup" else f"{args[0]} sub {args[1]}"
        spoken = _POWERS.get(power, f"to the power of {power}")
        return f" {_group(base)} {spoken} "
    if name == "msub" and len(args) == 2:
        return f" {args[0]} sub {args[1]} "
    if name == "msqrt":
        return f" the square root of {_group(' '.join(args))} "
    if name == "mroot" and len(args) == 2:
        return f" the root {args[1]} of {_group(args[0])} "
    if name == "semantics":
        return args[0] if args else ""
    return " ".join(args) if parts else tag.get_text()


def _group(text: str) -> str:
    return f"({text})" if " " in text.strip() else text.strip()


# --- text gathering ------------------------------------------------------------------


def is_text(node: object) -> bool:
    skipped = (PreformattedString, Script, Stylesheet, TemplateString, RubyParenthesisString)
    return isinstance(node, NavigableString) and not isinstance(node, skipped)


def text_pieces(tag: Tag, images: list[Tag], exclude: frozenset[str]) -> Iterator[str]:
    """Text of ``tag`` in order; <br> as a marker, images collected, blocks space-separated."""
    for child in tag.children:
        if is_text(child):
            yield str(child).replace(BR, "")
        elif isinstance(child, Tag):
            if child.name == "br":
                yield BR
            elif child.name == "img":
                images.append(child)
            elif child.name == "math":
                yield math_text(child)
            elif child.name not in exclude:
                spaced = child.name in BLOCK_TAGS
                yield " " if spaced else ""
                yield from text_pieces(child, images, exclude)
                yield " " if spaced else ""


def text_line(pieces: Iterable[str]) -> str:
    return collapse("".join(pieces).replace(BR, " "))


def element_text(tag: Tag | None) -> str:
    """All the text of an element as one whitespace-collapsed line."""
    return text_line(text_pieces(tag, [], frozenset())) if tag is not None else ""

"""Text of HTML elements: gathering an element's words the way a listener should hear them.

Shared by page cleaning and the structure walker; pure.
"""

from __future__ import annotations

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
INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u2060\ufeff"))


def too_deep(what: str) -> ContentError:
    """The error for HTML nested too deeply to walk (hundreds of levels: broken markup)."""
    return ContentError(
        f"{what} is nested too deeply to read.",
        "Simplify the HTML: close unclosed elements or remove wrapper <div>s.",
    )


def collapse(text: str) -> str:
    """Collapse runs of whitespace (nbsp included) and drop invisible characters."""
    return " ".join(text.translate(INVISIBLE).split())


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

"""Slugs and element ids: the one rule for names that reach URLs, files and pages.

Pure and dependency-free, so the web layer can use it without pulling in the
HTML parser.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from baclovoice.errors import InputError

SLUG_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")

# Element ids the narration script gives to the article title and its date line;
# the structure walker never gives a block one of these.
TITLE_ID = "title"
PUBLISHED_ID = "published"
RESERVED_IDS = frozenset({TITLE_ID, PUBLISHED_ID})
# The player page's own element ids all start with this; article ids never do.
RESERVED_PREFIX = "bv-"
# Longest section id: with a block suffix, a slug and a hash it stays a short file name.
MAX_ID = 60
MAX_SLUG = 100


def slugify(text: str) -> str:
    """ASCII, lowercase, hyphen-separated words; apostrophes vanish ("it's" -> "its")."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    ascii_text = re.sub(r"['`]", "", ascii_text.replace("\u2019", "'").lower())
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


def shortened(name: str, limit: int = MAX_ID) -> str:
    """``name`` if short enough, else its start cut at a hyphen plus a hash of the whole.

    Ids and file names made from long headings stay distinct and within file-system
    limits ("File name too long" at 255 bytes).
    """
    if len(name) <= limit:
        return name
    digest = hashlib.sha1(name.encode("utf-8")).hexdigest()[:8]
    head = name[: limit - len(digest) - 1]
    head = head.rsplit("-", 1)[0] if "-" in head[limit // 2 :] else head
    return f"{head.rstrip('-')}-{digest}"


def element_id(text: str, fallback: str) -> str:
    """A page-safe element id from heading text: slugified, shortened, never reserved."""
    candidate = shortened(slugify(text)) or fallback
    if candidate.startswith(RESERVED_PREFIX):  # the words in RESERVED_IDS get "-2" later
        candidate = f"s-{candidate}"
    return candidate


def validate_slug(slug: str) -> str:
    """Return ``slug`` if it is usable in file names and URLs; InputError otherwise."""
    if len(slug) > MAX_SLUG:
        raise InputError(
            f"The slug {slug[:40]!r}... is {len(slug)} characters long.",
            f"Use a slug of at most {MAX_SLUG} characters, e.g. {shortened(slugify(slug))!r}.",
        )
    if not SLUG_PATTERN.fullmatch(slug):
        example = slugify(slug) or "my-article"
        raise InputError(
            f"{slug!r} is not a valid article slug.",
            f"Use lowercase letters a-z, digits and single hyphens, e.g. {example!r}.",
        )
    return slug


def sentence_id(section: int, index: int) -> str:
    """Page element id and WebVTT cue id of a section's ``index``-th sentence (1-based)."""
    return f"bv-s{section}-{index}"

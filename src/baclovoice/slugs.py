"""Slugs and element ids: the one rule for names that reach URLs, files and pages.

Pure and dependency-free, so the web layer can use it without pulling in the
HTML parser.
"""

from __future__ import annotations

import re
import unicodedata

from baclovoice.errors import InputError

SLUG_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")

# Element ids the narration script gives to the article title and its date line;
# the structure walker never gives a block one of these.
TITLE_ID = "title"
PUBLISHED_ID = "published"
RESERVED_IDS = frozenset({TITLE_ID, PUBLISHED_ID})


def slugify(text: str) -> str:
    """ASCII, lowercase, hyphen-separated words; apostrophes vanish ("it's" -> "its")."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    ascii_text = re.sub(r"['`]", "", ascii_text.replace("\u2019", "'").lower())
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


def validate_slug(slug: str) -> str:
    """Return ``slug`` if it is usable in file names and URLs; InputError otherwise."""
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

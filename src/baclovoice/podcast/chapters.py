"""Chapters of the whole-article audio, derived from a manifest.

Podcast apps read JSON Chapters 1.2 (``podcast:chapters``); times are on the
timeline of the whole-article MP3, where each section begins at its ``start``.
Pure functions: the web layer serializes and serves what they return.
"""

from __future__ import annotations

from typing import Any

from baclovoice.models import Manifest

CHAPTERS_VERSION = "1.2.0"
CHAPTERS_TYPE = "application/json+chapters"


def chapters_json(manifest: Manifest, page_url: str) -> dict[str, Any]:
    """JSON Chapters 1.2: one chapter per section, linking to it on the player page."""
    return {
        "version": CHAPTERS_VERSION,
        "title": manifest.title,
        "author": manifest.author or "baclovoice",
        "chapters": [
            {
                "startTime": round(s.start, 3),
                "endTime": round(s.start + s.audio.duration, 3),
                "title": s.title,
                "url": f"{page_url}#{s.id}",
            }
            for s in manifest.sections
        ],
    }

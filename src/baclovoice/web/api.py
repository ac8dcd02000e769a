"""The JSON twin of every page, and the health check."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import Blueprint, Response, jsonify

from baclovoice import failures, paths
from baclovoice.models import Manifest, SectionEntry
from baclovoice.web import urls
from baclovoice.web.context import web_state

bp = Blueprint("api", __name__)


def section_json(manifest: Manifest, section: SectionEntry) -> dict[str, Any]:
    if not section.ready:  # still being narrated: the text, no audio yet
        return {
            "number": section.number,
            "id": section.id,
            "title": section.title,
            "ready": False,
            "duration": None,
            "bytes": None,
            "sha256": None,
            "audio_url": None,
            "download_url": None,
            "vtt_url": None,
            "page_url": urls.section_anchor_url(manifest, section, external=True),
            "sentences": [{"text": t.text, "element_id": t.element_id} for t in section.sentences],
        }
    return {
        "number": section.number,
        "id": section.id,
        "title": section.title,
        "ready": True,
        "duration": section.audio.duration,
        "bytes": section.audio.bytes,
        "sha256": section.audio.sha256,
        "audio_url": urls.section_audio_url(manifest, section, external=True),
        "download_url": urls.section_audio_url(manifest, section, download=True, external=True),
        "vtt_url": urls.section_vtt_url(manifest, section, external=True),
        "page_url": urls.section_anchor_url(manifest, section, external=True),
        "sentences": [
            {"text": t.text, "element_id": t.element_id, "start": t.start, "end": t.end}
            for t in section.sentences
        ],
    }


def article_json(manifest: Manifest) -> dict[str, Any]:
    return {
        "slug": manifest.slug,
        "status": manifest.status,
        "title": manifest.title,
        "date": manifest.date.isoformat() if manifest.date else None,
        "author": manifest.author,
        "description": manifest.description,
        "source_url": manifest.source_url or None,
        "language": manifest.language,
        "engine": manifest.engine,
        "voice": manifest.voice,
        "duration": manifest.duration,
        "url": urls.article_url(manifest, external=True),
        "api_url": urls.article_api_url(manifest, external=True),
        "sections": [section_json(manifest, section) for section in manifest.sections],
        **downloads_json(manifest),
    }


def downloads_json(manifest: Manifest) -> dict[str, Any]:
    """The read-along book and the audiobook: absolute URLs (None until built) and sizes."""
    epub, m4b = manifest.epub, manifest.m4b
    return {
        "epub_url": urls.article_epub_url(manifest, download=False, external=True) or None,
        "epub_bytes": epub.bytes if epub else None,
        "m4b_url": urls.article_m4b_url(manifest, download=False, external=True) or None,
        "m4b_bytes": m4b.bytes if m4b else None,
        "m4b_duration": m4b.duration if m4b else None,
    }


@bp.get(paths.API_ARTICLES.rule)
def articles() -> Response:
    snapshot = web_state().library.snapshot()
    return jsonify(articles=[article_json(m) for m in snapshot.current().values()])


@bp.get(paths.API_ARTICLE.rule)
def article(slug: str) -> Response:
    return jsonify(article_json(web_state().library.current(slug)))


@bp.get(paths.HEALTHZ.rule)
def healthz() -> tuple[Response, int]:
    """200 when every manifest loads; 503 naming each problem otherwise.

    Articles the last build could not use are listed under ``failures`` with status
    "degraded" but still 200: every good article is being served.
    """
    library = web_state().library
    problems = library.check()
    failed = {"failures": [asdict(f) for f in failures.load(library.audio_dir)]}
    failed = failed if failed["failures"] else {}
    if problems:
        response, status = jsonify(status="error", problems=problems, **failed), 503
    else:
        count = len(library.snapshot().manifests)
        state = "degraded" if failed else "ok"
        response, status = jsonify(status=state, articles=count, **failed), 200
    response.cache_control.no_store = True
    return response, status

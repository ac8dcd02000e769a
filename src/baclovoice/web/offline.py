"""Offline listening: the service worker, the web app manifest, and each article's file list.

The service worker (``static/sw.js``) is served from the site root so its scope covers
every page. When a listener saves an article, it fetches ``offline.json``: every URL the
player page needs (the page, the library, static assets, each section's MP3 and captions)
with its size, and a version that changes whenever any of those URLs does. Audio and
static URLs carry content hashes, so a saved copy never mixes two builds.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, send_file, url_for

from baclovoice import paths
from baclovoice.models import Manifest
from baclovoice.web import urls
from baclovoice.web.context import web_state

bp = Blueprint("offline", __name__)

SERVICE_WORKER_FILE = "sw.js"  # in static/, served at the root for its scope
MANIFEST_TYPE = "application/manifest+json"
THEME_COLOR = "#0b1a30"  # the cover art's navy


def offline_files(m: Manifest) -> list[dict[str, Any]]:
    """URL and size (None when only the server knows it) of everything a saved page uses."""
    state = web_state()
    pages = [urls.article_url(m), url_for("pages.index"), url_for("offline.web_manifest")]
    files: list[dict[str, Any]] = [{"url": url, "bytes": None} for url in pages]
    static = state.static_versions
    for name in sorted(static):
        if name != SERVICE_WORKER_FILE:
            path = _static_dir() / name
            files.append({"url": urls.static_url(name), "bytes": path.stat().st_size})
    for section in m.sections:
        files.append({"url": urls.section_audio_url(m, section), "bytes": section.audio.bytes})
        files.append({"url": urls.section_vtt_url(m, section), "bytes": None})
    return files


def offline_version(m: Manifest) -> str:
    """Changes whenever a saved copy would differ: any URL (they carry content hashes)."""
    listing = "\n".join(f["url"] for f in offline_files(m))
    return hashlib.sha256(listing.encode("utf-8")).hexdigest()[:16]


def _static_dir() -> Path:
    """The folder Flask serves ``/static`` from (``create_app`` always sets one)."""
    return Path(current_app.static_folder or "static")


@bp.get(paths.OFFLINE_FILES.rule)
def article_files(slug: str) -> Response:
    m = web_state().library.get(slug)
    files = offline_files(m)
    return jsonify(
        slug=m.slug,
        title=m.title,
        page=urls.article_url(m),
        version=offline_version(m),
        sections=len(m.sections),
        bytes=sum(f["bytes"] or 0 for f in files),
        files=files,
    )


@bp.get(paths.SERVICE_WORKER.rule)
def service_worker() -> Response:
    """The service worker at the root: its scope is the whole site."""
    folder = _static_dir()
    response = send_file(folder / SERVICE_WORKER_FILE, mimetype="text/javascript", etag=True)
    response.headers["Service-Worker-Allowed"] = url_for("pages.index")
    response.cache_control.no_cache = True
    response.cache_control.max_age = None
    return response


@bp.get(paths.WEB_MANIFEST.rule)
def web_manifest() -> Response:
    """Lets browsers install the library as an app that opens saved articles offline."""
    icons = [{"src": urls.static_url("icon.svg"), "sizes": "any", "type": "image/svg+xml"}]
    if (web_state().settings.audio_dir / "cover.png").is_file():
        icons.append(
            {"src": url_for("feeds.library_cover"), "sizes": "1400x1400", "type": "image/png"}
        )
    response = jsonify(
        name="baclovoice: articles read aloud",
        short_name="baclovoice",
        description="Listen to articles, and save them to listen offline.",
        start_url=url_for("pages.index"),
        scope=url_for("pages.index"),
        display="standalone",
        background_color="#ffffff",
        theme_color=THEME_COLOR,
        icons=icons,
    )
    response.mimetype = MANIFEST_TYPE
    response.cache_control.no_cache = True
    return response

"""The web app: ``create_app(settings)`` builds a Flask app that only reads manifests.

No module-level app: the CLI, the tests and any WSGI server each build their own.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from flask.json.provider import DefaultJSONProvider

from baclovoice.settings import Settings
from baclovoice.web import (
    api,
    auth,
    compression,
    downloads,
    feeds,
    filters,
    handlers,
    hosts,
    ingest_api,
    media,
    offline,
    pages,
)
from baclovoice.web.context import EXTENSION, WebState
from baclovoice.web.library import Library

# Registered in this order; each module exposes its blueprint as ``bp``.
BLUEPRINTS = (
    pages.bp,
    api.bp,
    media.bp,
    feeds.bp,
    downloads.bp,
    offline.bp,
    ingest_api.bp,
    auth.bp,
)

PACKAGE_DIR = Path(__file__).resolve().parent.parent
STATIC_DIR = PACKAGE_DIR / "static"


def templates_dir() -> Path:
    """Templates ship inside the wheel as baclovoice/templates; a checkout keeps them at the top."""
    installed = PACKAGE_DIR / "templates"
    if installed.is_dir():
        return installed
    return PACKAGE_DIR.parent.parent / "templates"


def static_versions(folder: Path) -> dict[str, str]:
    """Short content hash of every static file, keyed by its URL name."""
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def create_app(settings: Settings, config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app for ``settings``; ``config`` overrides Flask config (e.g. TESTING)."""
    app = Flask(
        "baclovoice",
        template_folder=str(templates_dir()),
        static_folder=str(STATIC_DIR),
        static_url_path="/static",
    )
    app.config.from_mapping(config or {})
    if isinstance(app.json, DefaultJSONProvider):
        app.json.sort_keys = False
    app.extensions[EXTENSION] = WebState(
        settings=settings,
        library=Library(settings.audio_dir),
        static_versions=static_versions(STATIC_DIR),
    )
    compression.register(app)  # first registered, so it runs after the other hooks
    auth.configure(app, settings)
    ingest_api.configure(app, settings)
    filters.register(app)
    handlers.register(app)
    hosts.register(app, settings)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    return app

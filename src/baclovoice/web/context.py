"""What every view needs, attached to the app by ``create_app``: settings and the library."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from baclovoice.settings import Settings
from baclovoice.web.library import Library

EXTENSION = "baclovoice"


@dataclass(frozen=True)
class WebState:
    settings: Settings
    library: Library
    static_versions: dict[str, str]  # static file name → short content hash


def web_state() -> WebState:
    """The current app's state; blueprints (feeds included) reach settings and manifests here."""
    state: WebState = current_app.extensions[EXTENSION]
    return state

"""The pages people read: the library index and one player page per article."""

from __future__ import annotations

from flask import Blueprint, render_template

from baclovoice import paths
from baclovoice.web.context import web_state
from baclovoice.web.formatting import language_tag
from baclovoice.web.transcript import article_view

bp = Blueprint("pages", __name__)

# Playback speeds offered by the player (pitch is preserved).
RATES = (0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0, 2.25, 2.5, 2.75, 3.0)


@bp.get(paths.INDEX.rule)
def index() -> str:
    snapshot = web_state().library.snapshot()
    building = [m for slug, m in snapshot.building.items() if slug not in snapshot.errors]
    return render_template(
        "index.html",
        manifests=list(snapshot.manifests.values()),
        errors=snapshot.errors,
        building=building,
    )


@bp.get(paths.PLAYER.rule)
def player(slug: str) -> str:
    manifest = web_state().library.current(slug)
    return render_template(
        "player.html",
        m=manifest,
        view=article_view(manifest),
        lang=language_tag(manifest.language),
        rates=RATES,
    )

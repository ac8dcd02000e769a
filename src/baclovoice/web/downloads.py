"""Take-away formats: the read-along book (EPUB 3) and the audiobook (M4B).

Both were built by ``baclovoice build`` and are served like the MP3s (``send_audio``):
Range, HEAD, a strong ETag from their sha256, and a year-long cache for a URL that
carries their content hash.
"""

from __future__ import annotations

from flask import Blueprint, Response, request

from baclovoice import paths
from baclovoice.errors import NotFound
from baclovoice.models import AudioFile, Manifest
from baclovoice.web.context import web_state
from baclovoice.web.formatting import ascii_slug
from baclovoice.web.media import send_audio

bp = Blueprint("downloads", __name__)

EPUB_TYPE = "application/epub+zip"
M4B_TYPE = "audio/mp4"


def _send(
    m: Manifest, file: AudioFile | None, what: str, extension: str, mimetype: str
) -> Response:
    if file is None:
        raise NotFound(
            f"The article {m.title!r} has no {what} yet.",
            f"Build it: baclovoice build {m.slug} (with {extension} in BACLOVOICE_FORMATS).",
        )
    name = f"{ascii_slug(m.slug) or 'article'}.{extension}"
    return send_audio(file, name, request.args.get("download") == "1", mimetype)


@bp.get(paths.ARTICLE_EPUB.rule)
def article_epub(slug: str) -> Response:
    """EPUB 3 with Media Overlays: text and narration, highlighted sentence by sentence."""
    m = web_state().library.get(slug)
    return _send(m, m.epub, "read-along book (EPUB)", "epub", EPUB_TYPE)


@bp.get(paths.ARTICLE_M4B.rule)
def article_m4b(slug: str) -> Response:
    """The whole article as an AAC audiobook with a chapter per section."""
    m = web_state().library.get(slug)
    return _send(m, m.m4b, "audiobook (M4B)", "m4b", M4B_TYPE)

"""Compressed text responses (Brotli or gzip, as the client asks) through Flask-Compress.

Only text types are compressed: pages, CSS, JS, JSON, feeds and captions. Audio, images
and fonts are left exactly as they are, headers included, so ranges and ETags of audio
keep their meaning. Partial (206) answers are never compressed: their byte ranges refer
to the uncompressed file. A compressed body carries the ETag of the uncompressed one
with ``:br`` or ``:gzip`` added, and ``Vary: Accept-Encoding``.
"""

from __future__ import annotations

from flask import Flask, Response
from flask_compress import Compress

TEXT_TYPES = (
    "text/html",
    "text/css",
    "text/javascript",
    "application/javascript",
    "application/json",
    "application/json+chapters",
    "application/rss+xml",
    "application/xml",
    "text/xml",
    "text/vtt",
    "text/plain",
    "image/svg+xml",
)
ALGORITHMS = ["br", "gzip"]  # the first wins when the client likes both equally


def register(app: Flask) -> None:
    """Compress after every other after-request hook (call before registering those)."""
    app.config.update(
        COMPRESS_REGISTER=False,
        COMPRESS_MIMETYPES=list(TEXT_TYPES),
        COMPRESS_ALGORITHM=ALGORITHMS,
        COMPRESS_STREAMS=False,  # see below
        COMPRESS_BR_LEVEL=5,
    )
    compress = Compress(app)

    def after_request(response: Response) -> Response:
        if response.mimetype not in TEXT_TYPES or response.status_code == 206:
            return response
        if response.is_streamed and response.status_code == 200:
            # A static file: read it (closed with the response) and compress it whole, which
            # keeps its length and gzip; Flask-Compress's streaming would leave it open.
            response.direct_passthrough = False
            response.make_sequence()
        return compress.after_request(response)

    app.after_request(after_request)

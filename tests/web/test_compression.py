"""Text responses are compressed (Brotli or gzip) when the client asks; audio never is."""

from __future__ import annotations

import gzip
from pathlib import Path

import brotli
import pytest
from flask.testing import FlaskClient

from baclovoice.models import Manifest
from tests.web.test_media import MP3, fetch

SLUG = "/articles/baclofen-for-anxiety"
DECODE = {"br": brotli.decompress, "gzip": gzip.decompress}
TEXT = {  # URL → media type, with every kind of text the app serves
    "/": "text/html",
    f"{SLUG}/": "text/html",
    f"{SLUG}/transcript": "text/html",
    "/static/baclovoice.css": "text/css",
    "/static/player.js": "text/javascript",
    "/api/articles": "application/json",
    f"/api{SLUG}": "application/json",
    "/feed.xml": "application/rss+xml",
    f"{SLUG}/feed.xml": "application/rss+xml",
    f"{SLUG}/chapters.json": "application/json+chapters",
    f"{SLUG}/sections/1.vtt": "text/vtt",
    f"{SLUG}/transcript.vtt": "text/vtt",
}


def identity(client: FlaskClient, url: str) -> bytes:
    with fetch(client, url) as response:
        assert response.status_code == 200
        assert "Content-Encoding" not in response.headers  # nobody asked
        return response.get_data()


@pytest.mark.parametrize("encoding", ["br", "gzip"])
@pytest.mark.parametrize("url", list(TEXT))
def test_text_is_compressed_when_asked(
    client: FlaskClient, article: Manifest, url: str, encoding: str
) -> None:
    plain = identity(client, url)
    asked = {"Accept-Encoding": f"{encoding}, identity;q=0.5"}
    with fetch(client, url, headers=asked) as response:
        assert response.mimetype == TEXT[url]
        assert "Accept-Encoding" in response.headers.get("Vary", "")
        body = response.get_data()
        if len(plain) < 500:  # not worth it: sent as it is
            assert "Content-Encoding" not in response.headers and body == plain
            return
        assert response.headers["Content-Encoding"] == encoding
        assert DECODE[encoding](body) == plain
        assert len(body) < len(plain) * 0.75
        etag = response.headers["ETag"]
    assert etag.endswith(f':{encoding}"')  # never the ETag of the uncompressed bytes
    with fetch(client, url, headers={**asked, "If-None-Match": etag}) as again:
        assert again.status_code == 304


def test_br_is_preferred_when_both_are_accepted(client: FlaskClient, article: Manifest) -> None:
    with fetch(client, "/", headers={"Accept-Encoding": "gzip, deflate, br, zstd"}) as response:
        assert response.headers["Content-Encoding"] == "br"


@pytest.mark.parametrize("headers", [{}, {"Range": "bytes=100-199"}, {"Range": "bytes=-50"}])
def test_audio_is_never_compressed(
    client: FlaskClient, article: Manifest, audio_dir: Path, headers: dict[str, str]
) -> None:
    """Same status, bytes, ETag and headers whether or not the client accepts compression."""
    answers = []
    for accept in ({}, {"Accept-Encoding": "gzip, deflate, br"}):
        with fetch(client, MP3, headers={**headers, **accept}) as response:
            answers.append(
                (response.status_code, response.get_data(), dict(response.headers.items()))
            )
    assert answers[0] == answers[1]
    status, body, sent = answers[1]
    assert "Content-Encoding" not in sent and "Accept-Encoding" not in sent.get("Vary", "")
    assert status == (206 if headers else 200)
    mp3 = (audio_dir / article.sections[0].audio.file).read_bytes()
    assert body == (mp3[100:200] if "100" in str(headers) else mp3[-50:] if headers else mp3)


def test_partial_text_is_sent_as_it_is(client: FlaskClient) -> None:
    css = "/static/baclovoice.css"
    with fetch(client, css, headers={"Accept-Encoding": "br", "Range": "bytes=0-99"}) as part:
        assert part.status_code == 206 and "Content-Encoding" not in part.headers
        assert len(part.get_data()) == 100  # the range is of the file's own bytes

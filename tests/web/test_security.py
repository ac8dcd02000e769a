"""Security headers everywhere, real 404 pages, and no way from a URL to the file system."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient

from baclovoice.errors import ManifestError
from baclovoice.models import AudioFile
from baclovoice.web.context import EXTENSION

EVERY_KIND_OF_RESPONSE = [
    "/",
    "/articles/baclofen-for-anxiety/",
    "/articles/baclofen-for-anxiety/sections/1.mp3",
    "/articles/baclofen-for-anxiety/sections/1.vtt",
    "/api/articles",
    "/api/articles/baclofen-for-anxiety",
    "/healthz",
    "/static/baclovoice.css",
    "/static/player.js",
    "/no/such/page",
    "/api/articles/nope",
]


@pytest.mark.parametrize("url", EVERY_KIND_OF_RESPONSE)
def test_security_headers_on_every_response(client: FlaskClient, url: str) -> None:
    with client.get(url) as response:
        csp = response.headers["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
        assert directives["default-src"] == "'self'"
        assert directives["script-src"] == "'self'"
        assert directives["media-src"] == "'self'"
        assert directives["frame-ancestors"] == "'none'"
        assert directives["object-src"] == "'none'"
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"


NOT_FOUND = [
    "/articles/nope/",
    "/articles/nope/sections/1.mp3",
    "/articles/nope/sections/1.vtt",
    "/articles/baclofen-for-anxiety/sections/0.mp3",
    "/articles/baclofen-for-anxiety/sections/4.mp3",
    "/articles/baclofen-for-anxiety/sections/99999999999999999999.mp3",
    "/articles/baclofen-for-anxiety/sections/abc.mp3",
    "/articles/baclofen-for-anxiety/sections/-1.mp3",
    "/articles/baclofen-for-anxiety/sections/1.5.mp3",
    "/articles/baclofen-for-anxiety/sections/0.vtt",
    "/articles/x/sections/0.mp3",
    "/articles/..%2f..%2fetc/",
    "/articles/..%2f..%2fetc%2fpasswd/sections/1.mp3",
    "/articles/%2e%2e/sections/1.mp3",
    "/articles/../../etc/passwd",
    "/articles/baclofen-for-anxiety%2f..%2f..%2fmanifest.json/",
    "/articles/.cache/",
    "/static/../manifest.py",
    "/static/%2e%2e/manifest.py",
    "/articles/baclofen-for-anxiety/manifest.json",
]


@pytest.mark.parametrize("url", NOT_FOUND)
def test_unknown_or_hostile_paths_are_404_pages(app: Flask, url: str) -> None:
    app.testing = False  # a bug must show as 500 here, not as an exception
    with app.test_client().get(url) as response:
        assert response.status_code == 404, url
        assert response.mimetype == "text/html"
        soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
        assert soup.find("h1") is not None
        assert soup.find("a", href="/") is not None
        assert "root:" not in response.get_data(as_text=True)


def test_404_page_is_accessible_text(client: FlaskClient) -> None:
    response = client.get("/articles/nope/")
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert soup.title is not None and soup.title.get_text() == "Page not found · baclovoice"
    assert soup.h1 is not None and soup.h1.get_text() == "Page not found"
    assert "There is no article called 'nope'." in soup.get_text()
    assert response.cache_control.no_store


def test_missing_trailing_slash_redirects(client: FlaskClient) -> None:
    response = client.get("/articles/baclofen-for-anxiety")
    assert response.status_code == 308
    assert response.headers["Location"].endswith("/articles/baclofen-for-anxiety/")


def test_wrong_method_is_405_with_allow(client: FlaskClient) -> None:
    response = client.post("/articles/baclofen-for-anxiety/sections/1.mp3")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert response.headers["Content-Security-Policy"]


def test_static_files_are_versioned_and_cached(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    link = BeautifulSoup(html, "html.parser").find("link", rel="stylesheet")
    assert link is not None
    href = str(link["href"])
    assert "?v=" in href
    with client.get(href) as response:
        assert response.status_code == 200
        assert response.cache_control.immutable and response.cache_control.max_age
    with client.get("/static/baclovoice.css?v=stale") as response:
        assert not response.cache_control.immutable


@pytest.mark.parametrize("file", ["../../etc/passwd", "/etc/passwd", "a/../../b.mp3"])
def test_manifest_pointing_outside_the_audio_folder_is_refused(app: Flask, file: str) -> None:
    library = app.extensions[EXTENSION].library
    with pytest.raises(ManifestError, match="outside"):
        library.audio_path(AudioFile(file, 1, 1.0, ""))

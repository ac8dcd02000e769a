"""The read-along book, the audiobook and offline listening, through the web app."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from baclovoice import manifest
from baclovoice.models import Manifest
from baclovoice.settings import Settings
from baclovoice.web import create_app
from tests.formats.conftest import publish_with_downloads

SLUG = "baclofen-for-anxiety"
YEAR = 365 * 24 * 3600


@pytest.fixture
def article(settings: Settings) -> Manifest:
    return publish_with_downloads(settings.audio_dir)


@pytest.fixture
def app(settings: Settings, article: Manifest) -> Flask:
    return create_app(settings, {"TESTING": True})


def fetch(client: FlaskClient, path: str, method: str = "GET", **kwargs: Any) -> TestResponse:
    with client.open(path, method=method, **kwargs) as response:
        response.get_data()
    return response


DOWNLOADS = [("epub", "application/epub+zip"), ("m4b", "audio/mp4")]


@pytest.mark.parametrize(("kind", "mimetype"), DOWNLOADS)
def test_download_is_served_like_the_mp3s(
    client: FlaskClient, settings: Settings, article: Manifest, kind: str, mimetype: str
) -> None:
    file = getattr(article, kind)
    data = (settings.audio_dir / file.file).read_bytes()
    path = f"/articles/{SLUG}.{kind}"
    whole = fetch(client, path)
    assert whole.status_code == 200 and whole.mimetype == mimetype and whole.data == data
    assert whole.headers["ETag"] == f'"{file.sha256}"' and whole.headers["Accept-Ranges"] == "bytes"
    head = fetch(client, path, "HEAD")
    assert head.data == b"" and head.headers["Content-Length"] == str(len(data))
    part = fetch(client, path, headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and part.data == data[100:200]
    assert part.headers["Content-Range"] == f"bytes 100-199/{len(data)}"
    assert fetch(client, path, headers={"Range": f"bytes={len(data)}-"}).status_code == 416
    assert fetch(client, path, headers={"If-None-Match": whole.headers["ETag"]}).status_code == 304
    versioned = fetch(client, f"{path}?v={file.sha256[:16]}&download=1")
    assert versioned.headers["Content-Disposition"] == f"attachment; filename={SLUG}.{kind}"
    assert versioned.cache_control.max_age == YEAR and versioned.cache_control.immutable


@pytest.mark.parametrize(("kind", "mimetype"), DOWNLOADS)
def test_missing_download_is_a_clear_404(
    settings: Settings, article: Manifest, kind: str, mimetype: str
) -> None:
    import dataclasses

    manifest.save(settings.audio_dir, dataclasses.replace(article, **{kind: None}))
    client = create_app(settings, {"TESTING": True}).test_client()
    response = fetch(client, f"/articles/{SLUG}.{kind}")
    assert response.status_code == 404
    assert b"baclovoice build baclofen-for-anxiety" in response.data
    assert fetch(client, f"/articles/nope.{kind}").status_code == 404
    page = fetch(client, f"/articles/{SLUG}/").get_data(as_text=True)
    assert f".{kind}?" not in page
    api = json.loads(fetch(client, f"/api/articles/{SLUG}").data)
    assert api[f"{kind}_url"] is None and api[f"{kind}_bytes"] is None


def test_api_gives_the_download_urls(client: FlaskClient, article: Manifest) -> None:
    data = json.loads(fetch(client, f"/api/articles/{SLUG}").data)
    assert data["epub_url"] == f"http://localhost/articles/{SLUG}.epub?v={article.epub.sha256[:16]}"
    assert data["m4b_url"] == f"http://localhost/articles/{SLUG}.m4b?v={article.m4b.sha256[:16]}"
    assert data["epub_bytes"] == article.epub.bytes and data["m4b_bytes"] == article.m4b.bytes
    assert data["m4b_duration"] == article.m4b.duration
    listed = json.loads(fetch(client, "/api/articles").data)["articles"][0]
    assert listed["epub_url"] == data["epub_url"]


def test_player_page_offers_each_download_with_what_it_is_for(
    client: FlaskClient, article: Manifest
) -> None:
    page = BeautifulSoup(fetch(client, f"/articles/{SLUG}/").data, "html.parser")
    epub = page.find("a", href=f"/articles/{SLUG}.epub?v={article.epub.sha256[:16]}&download=1")
    m4b = page.find("a", href=f"/articles/{SLUG}.m4b?v={article.m4b.sha256[:16]}&download=1")
    assert re.fullmatch(r"Read-along book \(EPUB 3, \d+ kB\)", epub.get_text())
    assert "highlighted" in epub.parent.get_text()
    assert re.fullmatch(r"Audiobook \(M4B, \d+ kB, 9 s\)", m4b.get_text())
    assert "audiobook apps" in m4b.parent.get_text() and "chapter" in m4b.parent.get_text()
    assert epub.has_attr("download") and m4b.has_attr("download")


def test_offline_list_names_every_file_the_page_needs(
    client: FlaskClient, article: Manifest
) -> None:
    page = BeautifulSoup(fetch(client, f"/articles/{SLUG}/").data, "html.parser")
    box = page.find(id="bv-offline")
    assert box.has_attr("hidden")  # shown by offline.js where the browser can save
    listing = json.loads(fetch(client, box["data-list"]).data)
    assert listing["page"] == f"/articles/{SLUG}/" and listing["slug"] == box["data-slug"]
    urls = [f["url"] for f in listing["files"]]
    assets = [
        e.get("href") or e.get("src") for e in page.select("link[rel=stylesheet], script[src]")
    ]
    assert set(assets) <= set(urls)
    for section in article.sections:
        assert (
            f"/articles/{SLUG}/sections/{section.number}.mp3?v={section.audio.sha256[:16]}" in urls
        )
        assert f"/articles/{SLUG}/sections/{section.number}.vtt" in urls
    assert "/sw.js" not in " ".join(urls)
    for file in listing["files"]:
        response = fetch(client, file["url"])
        assert response.status_code == 200, file["url"]
        if file["bytes"] is not None:
            assert len(response.data) == file["bytes"]
    assert listing["bytes"] == sum(f["bytes"] or 0 for f in listing["files"])


def test_offline_version_changes_with_the_audio(settings: Settings, article: Manifest) -> None:
    import dataclasses

    client = create_app(settings, {"TESTING": True}).test_client()
    before = json.loads(fetch(client, f"/articles/{SLUG}/offline.json").data)["version"]
    section = article.sections[0]
    changed = dataclasses.replace(
        section, audio=dataclasses.replace(section.audio, sha256="f" * 64)
    )
    manifest.save(
        settings.audio_dir, dataclasses.replace(article, sections=(changed, *article.sections[1:]))
    )
    after = json.loads(fetch(client, f"/articles/{SLUG}/offline.json").data)["version"]
    assert after != before


def test_service_worker_is_served_from_the_root(client: FlaskClient) -> None:
    response = fetch(client, "/sw.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/"
    assert response.cache_control.no_cache
    assert b"caches" in response.data


def test_web_app_manifest(client: FlaskClient) -> None:
    response = fetch(client, "/manifest.webmanifest")
    assert response.mimetype == "application/manifest+json"
    data = json.loads(response.data)
    assert data["start_url"] == data["scope"] == "/" and data["display"] == "standalone"
    assert {i["src"].split("?")[0] for i in data["icons"]} == {"/static/icon.svg", "/cover.png"}
    page = BeautifulSoup(fetch(client, "/").data, "html.parser")
    assert page.find("link", rel="manifest")["href"] == "/manifest.webmanifest"
    assert page.find("script", src=lambda s: s and "offline.js" in s)["data-sw"] == "/sw.js"

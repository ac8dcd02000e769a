"""The original article's address travels from import to manifest, player page and feed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from baclovoice import manifest
from baclovoice.build.builder import build
from baclovoice.models import Manifest
from baclovoice.settings import Settings
from baclovoice.web import create_app

SOURCE = "https://news.example/2024/night-trains"
ARTICLE = f"""<!doctype html><html lang="en"><head><title>Night Trains</title>
<link rel="canonical" href="{SOURCE}"></head>
<body><article><h1>Night Trains</h1><p>They are back.</p></article></body></html>"""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root = tmp_path_factory.mktemp("source")
    (root / "content").mkdir()
    (root / "content" / "trains.html").write_text(ARTICLE, encoding="utf-8")
    settings = Settings.load(
        environ={}, content_dir=root / "content", audio_dir=root / "audio", engine="fake"
    )
    build(settings)
    return settings


def test_the_manifest_keeps_the_source_url(built: Settings) -> None:
    assert manifest.load(built.audio_dir, "trains").source_url == SOURCE


def test_the_player_page_links_the_original_article(built: Settings) -> None:
    client = create_app(built, {"TESTING": True}).test_client()
    page = BeautifulSoup(client.get("/articles/trains/").data, "html.parser")
    link = page.find("a", string="Original article")
    assert link is not None and link["href"] == SOURCE


def test_the_feed_item_links_the_original_article(built: Settings) -> None:
    client = create_app(built, {"TESTING": True}).test_client()
    feed = BeautifulSoup(client.get("/feed.xml").data, "xml")
    assert feed.find("item").find("link").text == SOURCE


def test_manifests_without_the_field_still_load(built: Settings, tmp_path: Path) -> None:
    data = json.loads((built.audio_dir / "trains" / "manifest.json").read_text("utf-8"))
    del data["source_url"]
    old = Manifest.from_dict(data)
    assert old.source_url == ""
    client_dir = tmp_path / "audio"
    (client_dir / "trains").mkdir(parents=True)
    (client_dir / "trains" / "manifest.json").write_text(json.dumps(data), encoding="utf-8")
    assert manifest.load(client_dir, "trains").source_url == ""


def test_the_json_twin_gives_the_source_url(built: Settings) -> None:
    client = create_app(built, {"TESTING": True}).test_client()
    assert client.get("/api/articles/trains").get_json()["source_url"] == SOURCE

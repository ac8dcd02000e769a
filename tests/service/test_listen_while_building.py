"""Listen while it builds: a manifest in progress on the page and in the API; feeds and
downloads keep the last complete version until the new one is complete."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import feedparser
import pytest
from bs4 import BeautifulSoup
from flask.testing import FlaskClient

from baclovoice import manifest
from baclovoice.models import BUILDING, NOT_READY, Manifest, SentenceTiming
from baclovoice.settings import Settings
from baclovoice.web import create_app
from baclovoice.web.urls import audio_version
from tests.web.builders import Spec, publish

SLUG = "baclofen-for-anxiety"


def in_progress(complete: Manifest, ready: set[int]) -> Manifest:
    """``complete`` as the service shows it mid-build: only the ``ready`` sections have audio."""
    sections = tuple(
        s
        if s.number in ready
        else dataclasses.replace(
            s,
            audio=NOT_READY,
            sentences=tuple(SentenceTiming(t.text, t.element_id, 0.0, 0.0) for t in s.sentences),
        )
        for s in complete.sections
    )
    return dataclasses.replace(complete, sections=sections, status=BUILDING, extra={"job": "j1"})


@pytest.fixture
def new_article(settings: Settings) -> Manifest:
    """An article narrated for the first time: only its manifest in progress exists."""
    complete = publish(settings.audio_dir)
    manifest.manifest_path(settings.audio_dir, SLUG).unlink()
    building = in_progress(complete, {1})
    manifest.save_building(settings.audio_dir, building)
    return building


@pytest.fixture
def client(settings: Settings) -> FlaskClient:
    return create_app(settings, {"TESTING": True}).test_client()


def test_a_manifest_in_progress_round_trips(settings: Settings) -> None:
    complete = publish(settings.audio_dir)
    building = in_progress(complete, {2})
    data = json.loads(manifest.dumps(building))
    assert data["status"] == "building"
    assert [s["audio"] is None for s in data["sections"]] == [True, False, True]
    manifest.save_building(settings.audio_dir, building)
    assert manifest.load_building(settings.audio_dir, SLUG) == building
    assert [s.ready for s in building.sections] == [False, True, False]
    assert building.audio_files == (complete.sections[1].audio,)


def test_complete_manifests_are_written_as_before(settings: Settings) -> None:
    """No new keys in a complete manifest: older readers and byte-for-byte rebuilds agree."""
    data = json.loads(manifest.dumps(publish(settings.audio_dir)))
    assert "status" not in data
    assert all(s["audio"] for s in data["sections"])


def test_the_api_shows_the_build_in_progress(client: FlaskClient, new_article: Manifest) -> None:
    article = client.get(f"/api/articles/{SLUG}").get_json()
    assert article["status"] == "building"
    ready, pending = article["sections"][0], article["sections"][1]
    assert ready["ready"] and ready["audio_url"].startswith("http")
    assert not pending["ready"]
    assert pending["audio_url"] is None and pending["download_url"] is None
    assert pending["sentences"][0]["text"]
    listing = client.get("/api/articles").get_json()["articles"]
    assert [(a["slug"], a["status"]) for a in listing] == [(SLUG, "building")]


def test_the_player_page_shows_sections_being_narrated(
    client: FlaskClient, new_article: Manifest
) -> None:
    page = BeautifulSoup(client.get(f"/articles/{SLUG}/").data, "html.parser")
    scripts = [s["src"] for s in page.find_all("script")]
    assert any("building.js" in src for src in scripts)
    progress = page.find(id="bv-progress")
    assert "1 of 3 sections ready to play" in progress.get_text()
    assert progress["data-api"] == f"/api/articles/{SLUG}"
    first, second = page.find(id="bv-section-1"), page.find(id="bv-section-2")
    assert first.find("audio")["src"].startswith(f"/articles/{SLUG}/sections/1.mp3")
    assert "bv-pending" in second["class"] and "bv-pending" not in first["class"]
    assert second.find("audio") is None and second.find("a", class_="bv-download") is None
    assert "Being narrated" in second.get_text()
    assert second.find("span", id="bv-s2-1")  # the text is there to read meanwhile
    assert "being narrated" in page.find("nav", class_="bv-toc").get_text()
    links = [a["href"] for a in page.find_all("a", href=True)]
    assert not [h for h in links if h.endswith((".epub", ".m4b", f"{SLUG}.mp3"))]  # not yet
    index = client.get("/").get_data(as_text=True)
    assert "Being narrated now" in index and "1 of 3 sections ready" in index


def test_a_complete_page_loads_no_building_script(client: FlaskClient, settings: Settings) -> None:
    publish(settings.audio_dir)
    page = client.get(f"/articles/{SLUG}/").get_data(as_text=True)
    assert "building.js" not in page and "bv-progress" not in page


def test_feeds_wait_for_a_new_article(client: FlaskClient, new_article: Manifest) -> None:
    feed = feedparser.parse(client.get("/feed.xml").data)
    assert feed.entries == []
    response = client.get(f"/articles/{SLUG}/feed.xml")
    assert response.status_code == 404
    assert "still being narrated" in response.get_data(as_text=True)
    assert client.get(f"/articles/{SLUG}.mp3").status_code == 404
    pending = client.get(f"/articles/{SLUG}/sections/2.mp3")
    assert pending.status_code == 404 and "still being narrated" in pending.get_data(as_text=True)
    with client.get(f"/articles/{SLUG}/sections/1.mp3") as ready:
        assert ready.status_code == 200


def test_a_rebuild_keeps_the_complete_version_in_feeds_and_links(
    client: FlaskClient, settings: Settings
) -> None:
    old = publish(settings.audio_dir)
    new = publish(settings.audio_dir, Spec(seconds=4.0))  # every section changed
    manifest.save(settings.audio_dir, old)
    manifest.save_building(settings.audio_dir, in_progress(new, {1}))
    feed = feedparser.parse(client.get(f"/articles/{SLUG}/feed.xml").data)
    assert len(feed.entries) == 3  # the complete version, every section
    assert client.get(f"/api/articles/{SLUG}").get_json()["status"] == "building"
    old_two = old.sections[1]
    link = f"/articles/{SLUG}/sections/2.mp3?v={audio_version(old_two.audio)}"
    with client.get(link) as by_version:
        assert by_version.status_code == 200 and by_version.get_etag()[0] == old_two.audio.sha256
    with client.get(f"/articles/{SLUG}/sections/1.mp3") as new_one:
        assert new_one.get_etag()[0] == new.sections[0].audio.sha256
    assert client.get(f"/articles/{SLUG}/sections/2.mp3").status_code == 404


def test_gc_keeps_what_is_being_narrated(settings: Settings, new_article: Manifest) -> None:
    from baclovoice.build.gc import collect_garbage

    collect_garbage(settings)
    ready = new_article.sections[0].audio.file
    assert (Path(settings.audio_dir) / ready).is_file()

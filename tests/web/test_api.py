"""The JSON twin, the health check, and manifests that change or break under a running app."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from baclovoice.models import Manifest
from baclovoice.settings import Settings
from baclovoice.web import create_app
from tests.web.builders import Spec, publish

API = "/api/articles/baclofen-for-anxiety"


def test_article_json_has_the_contract_fields(client: FlaskClient, article: Manifest) -> None:
    response = client.get(API)
    assert response.status_code == 200 and response.mimetype == "application/json"
    data = response.get_json()
    assert {k: data[k] for k in ("slug", "title", "date", "author")} == {
        "slug": "baclofen-for-anxiety",
        "title": "Baclofen for Anxiety: Can It Help?",
        "date": "2023-04-27",
        "author": "Ada Tester",
    }
    assert data["duration"] == pytest.approx(9.0)
    assert data["url"] == "http://localhost/articles/baclofen-for-anxiety/"
    assert [s["number"] for s in data["sections"]] == [1, 2, 3]
    first, entry = data["sections"][0], article.sections[0]
    assert {k: first[k] for k in ("id", "title", "duration", "bytes")} == {
        "id": entry.id,
        "title": entry.title,
        "duration": entry.audio.duration,
        "bytes": entry.audio.bytes,
    }
    base = "http://localhost/articles/baclofen-for-anxiety/sections/1"
    assert first["audio_url"] == f"{base}.mp3?v={entry.audio.sha256[:16]}"
    assert first["download_url"] == f"{base}.mp3?v={entry.audio.sha256[:16]}&download=1"
    assert first["vtt_url"] == f"{base}.vtt"
    assert first["sentences"][0] == {
        "text": "Baclofen for Anxiety: Can It Help?",
        "element_id": "title",
        "start": 0.0,
        "end": 0.375,
    }
    assert len(first["sentences"]) == len(entry.sentences)


def test_every_url_in_the_json_answers(client: FlaskClient) -> None:
    data = client.get(API).get_json()
    urls = [data["url"], data["api_url"]]
    for section in data["sections"]:
        urls += [section["audio_url"], section["download_url"], section["vtt_url"]]
    for url in urls:
        with client.get(url.removeprefix("http://localhost")) as response:
            assert response.status_code == 200, url


def test_article_list(client: FlaskClient, audio_dir: Path) -> None:
    publish(audio_dir, Spec(slug="older", title="Older", date=dt.date(2020, 1, 1)))
    data = client.get("/api/articles").get_json()
    assert [a["slug"] for a in data["articles"]] == ["baclofen-for-anxiety", "older"]
    assert data["articles"][0] == client.get(API).get_json()


def test_base_url_setting_makes_absolute_urls(settings: Settings, article: Manifest) -> None:
    app = create_app(settings.replace(base_url="https://listen.example.org/"), {"TESTING": True})
    data = app.test_client().get(API).get_json()
    assert data["url"] == "https://listen.example.org/articles/baclofen-for-anxiety/"
    assert data["sections"][0]["vtt_url"].startswith("https://listen.example.org/articles/")


def test_unknown_article_is_a_json_404(client: FlaskClient) -> None:
    response = client.get("/api/articles/nope")
    assert response.status_code == 404
    assert response.get_json()["error"]["message"] == "There is no article called 'nope'."


def test_api_answers_304_when_unchanged(client: FlaskClient) -> None:
    etag = client.get(API).headers["ETag"]
    assert client.get(API, headers={"If-None-Match": etag}).status_code == 304


def test_healthz_ok(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "articles": 1}
    assert response.cache_control.no_store


def test_healthz_without_audio_folder_is_503(settings: Settings) -> None:
    response = create_app(settings).test_client().get("/healthz")
    assert response.status_code == 503
    assert "does not exist" in response.get_json()["problems"][0]


# --- manifests changing under a running app ----------------------------------------


def test_rebuilt_manifest_is_picked_up_without_restart(
    client: FlaskClient, audio_dir: Path
) -> None:
    assert "Can It Help?" in client.get("/").get_data(as_text=True)
    publish(audio_dir, Spec(title="A Retitled Article"))
    assert "A Retitled Article" in client.get("/articles/baclofen-for-anxiety/").get_data(True)
    assert client.get(API).get_json()["title"] == "A Retitled Article"
    publish(audio_dir, Spec(slug="newcomer", title="Newcomer"))
    assert client.get("/articles/newcomer/").status_code == 200


def test_removed_article_disappears(client: FlaskClient, audio_dir: Path) -> None:
    assert client.get(API).status_code == 200
    (audio_dir / "baclofen-for-anxiety" / "manifest.json").unlink()
    assert client.get(API).status_code == 404
    assert client.get("/api/articles").get_json() == {"articles": []}


@pytest.mark.parametrize(
    "corrupt",
    [
        "{not json",
        json.dumps({"slug": "baclofen-for-anxiety"}),
        json.dumps({"version": 99}),
    ],
)
def test_corrupt_manifest_gives_a_clear_page_not_a_traceback(
    app: Flask, audio_dir: Path, corrupt: str
) -> None:
    publish(audio_dir, Spec(slug="healthy", title="Healthy Article"))
    (audio_dir / "baclofen-for-anxiety" / "manifest.json").write_text(corrupt, encoding="utf-8")
    app.testing = False  # what a visitor of the real server gets
    client = app.test_client()

    page = client.get("/articles/baclofen-for-anxiety/")
    assert page.status_code == 500
    text = page.get_data(as_text=True)
    assert "Traceback" not in text
    assert "manifest" in text and "baclovoice build baclofen-for-anxiety" in text

    index = client.get("/")
    assert index.status_code == 200
    assert "Healthy Article" in index.get_data(as_text=True)
    assert "1 article cannot be played right now" in index.get_data(as_text=True)

    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.get_json()["problems"][0].startswith("baclofen-for-anxiety: ")

    assert client.get("/articles/healthy/").status_code == 200
    publish(audio_dir)  # the next build repairs it
    assert client.get("/articles/baclofen-for-anxiety/").status_code == 200
    assert client.get("/healthz").status_code == 200

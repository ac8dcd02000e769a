"""The ingestion API: adding, replacing and removing articles with the token, and jobs."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from huey import MemoryHuey

from baclovoice import manifest
from baclovoice.engines import SharedEngine
from baclovoice.engines.fake import FakeEngine
from baclovoice.errors import BaclovoiceError
from baclovoice.ingest.store import import_article
from baclovoice.service.queue import NarrationQueue
from baclovoice.settings import Settings
from baclovoice.web import create_app
from baclovoice.web.ingest_api import QUEUE
from tests.ingest.test_fetch import server  # noqa: F401 (a fixture: pages on loopback)
from tests.service.conftest import AUTH, MARKDOWN, TOKEN, drain, queue_of


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/articles"),
        ("PUT", "/api/articles/tea"),
        ("DELETE", "/api/articles/tea"),
        ("GET", "/api/jobs/abc"),
        ("GET", "/add"),
        ("POST", "/add"),
        ("GET", "/login"),
        ("POST", "/logout"),
        ("GET", "/jobs/abc"),
    ],
)
def test_without_a_token_the_service_is_read_only(
    settings: Settings, method: str, path: str
) -> None:
    client = create_app(settings, {"TESTING": True}).test_client()
    response = client.open(path, method=method, headers=AUTH, json={"text": "x"})
    assert response.status_code == 404
    assert client.get("/api/articles").status_code == 200


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong-token-0123456789"}, {"Authorization": f"Basic {TOKEN}"}],
    ids=["none", "wrong", "not-bearer"],
)
@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/api/articles"), ("PUT", "/api/articles/tea"), ("DELETE", "/api/articles/tea")],
)
def test_writing_needs_the_bearer_token(
    client: FlaskClient, api_settings: Settings, headers: dict, method: str, path: str
) -> None:
    response = client.open(path, method=method, headers=headers, json={"markdown": MARKDOWN})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "Authorization: Bearer" in response.get_json()["error"]["hint"]
    assert not list(api_settings.content_dir.glob("*.html"))


@pytest.mark.parametrize(
    ("body", "slug"),
    [
        ({"markdown": MARKDOWN}, "notes-on-tea"),
        ({"markdown": MARKDOWN, "slug": "tea"}, "tea"),
        ({"text": "Notes on Tea\n\nBoil the water. Wait three minutes."}, "notes-on-tea"),
        ({"html": "<h1>Notes on Tea</h1><p>Boil the water.</p>"}, "notes-on-tea"),
    ],
)
def test_adding_an_article_answers_202_and_narrates_it(
    client: FlaskClient, app: Flask, api_settings: Settings, body: dict, slug: str
) -> None:
    response = client.post("/api/articles", json=body, headers=AUTH)
    assert response.status_code == 202
    data = response.get_json()
    assert data["slug"] == slug and data["article"] == f"/articles/{slug}/"
    assert data["job"].startswith("/api/jobs/")
    assert response.headers["Location"].endswith(data["job"])
    assert (api_settings.content_dir / f"{slug}.html").is_file()
    job = client.get(data["job"], headers=AUTH).get_json()
    assert job["state"] == "queued" and job["slug"] == slug
    assert set(job) >= {
        "state",
        "sentences_done",
        "sentences_total",
        "sections_ready",
        "sections_total",
        "error",
    }
    drain(queue_of(app))
    job = client.get(data["job"], headers=AUTH).get_json()
    assert job["state"] == "done" and job["error"] is None
    assert job["sections_ready"] == job["sections_total"] >= 1
    assert client.get(f"/api/articles/{slug}").get_json()["status"] == "complete"


def test_a_file_upload_is_an_article(client: FlaskClient, api_settings: Settings) -> None:
    data = {"file": (io.BytesIO(MARKDOWN.encode()), "tea.md"), "slug": "tea"}
    response = client.post("/api/articles", data=data, headers=AUTH)
    assert response.status_code == 202 and response.get_json()["slug"] == "tea"
    assert "<h2>Brewing</h2>" in (api_settings.content_dir / "tea.html").read_text()


@pytest.mark.parametrize(
    ("suffix", "content", "body"),
    [
        (".md", "", {"markdown": ""}),
        (".md", "   \n", {"markdown": "   \n"}),
        (".txt", "\n\n", {"text": "\n\n"}),
        (".html", "<p>No title here.</p>", {"html": "<p>No title here.</p>"}),
        (".html", "<h1>Only a title</h1>", {"html": "<h1>Only a title</h1>"}),
    ],
)
def test_bad_articles_get_the_cli_message_and_hint(
    client: FlaskClient, tmp_path: Path, suffix: str, content: str, body: dict
) -> None:
    source = tmp_path / f"bad{suffix}"
    source.write_text(content)
    with pytest.raises(BaclovoiceError) as cli:
        import_article(source, tmp_path / "out", "bad")  # the same slug as the API's
    response = client.post("/api/articles", json={**body, "slug": "bad"}, headers=AUTH)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["hint"] == cli.value.hint
    tail = cli.value.message.split(str(source), 1)[-1]  # the CLI names the file, the API the field
    assert error["message"].endswith(tail)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"data": "not json", "content_type": "application/json"}, "not a JSON object"),
        ({"json": ["a list"]}, "not a JSON object"),
        ({"json": {"text": "a", "html": "b"}}, "exactly one of"),
        ({"json": {}}, "exactly one of"),
        ({"json": {"text": 5}}, "must be strings"),
        ({"json": {"markdown": MARKDOWN, "slug": "Not A Slug"}}, "not a valid article slug"),
        ({"data": "text", "content_type": "text/plain"}, "Cannot read an article"),
        ({"json": {"url": "http://127.0.0.1:9/a"}}, "is a non-public address"),
        ({"json": {"url": "ftp://example.org/a"}}, "only http:// and https://"),
        ({"data": {"file": (io.BytesIO(b"x"), "a.pdf")}}, "unknown file type '.pdf'"),
        ({"data": {"file": (io.BytesIO(b"\xff\xfe"), "a.txt")}}, "is not valid UTF-8"),
        ({"data": {"slug": "a"}, "content_type": "multipart/form-data"}, "The form has no file"),
        ({"data": {"slug": "a"}}, "request of type application/x-www-form-urlencoded"),
    ],
)
def test_bad_requests_say_what_and_how_to_fix(
    client: FlaskClient, kwargs: dict, message: str
) -> None:
    response = client.post("/api/articles", headers=AUTH, **kwargs)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert message in error["message"] and error["hint"]


def test_an_existing_slug_is_a_conflict(client: FlaskClient, api_settings: Settings) -> None:
    assert (
        client.post("/api/articles", json={"markdown": MARKDOWN}, headers=AUTH).status_code == 202
    )
    before = (api_settings.content_dir / "notes-on-tea.html").read_text()
    again = {"markdown": MARKDOWN.replace("three", "four")}
    response = client.post("/api/articles", json=again, headers=AUTH)
    assert response.status_code == 409
    assert "PUT /api/articles/notes-on-tea" in response.get_json()["error"]["hint"]
    assert (api_settings.content_dir / "notes-on-tea.html").read_text() == before


@pytest.mark.parametrize("how", ["json", "file"])
def test_an_article_over_the_limit_is_refused(
    client: FlaskClient, api_settings: Settings, how: str
) -> None:
    big = "# Big\n\n" + "Words go here. " * 2000  # 30 KB, over the 20 KB limit
    if how == "json":
        response = client.post("/api/articles", json={"markdown": big}, headers=AUTH)
    else:
        data = {"file": (io.BytesIO(big.encode()), "big.md")}
        response = client.post("/api/articles", data=data, headers=AUTH)
    assert response.status_code == 413
    assert "BACLOVOICE_API_MAX_BYTES" in response.get_json()["error"]["hint"]
    assert not list(api_settings.content_dir.glob("*.html"))


def test_put_replaces_and_narrates_only_what_changed(
    client: FlaskClient, app: Flask, api_settings: Settings
) -> None:
    client.post("/api/articles", json={"markdown": MARKDOWN, "slug": "tea"}, headers=AUTH)
    drain(queue_of(app))
    engine = queue_of(app).runtime().engine
    assert isinstance(engine, FakeEngine)
    calls = engine.calls
    changed = MARKDOWN.replace("Wait three minutes.", "Wait four minutes.")
    response = client.put("/api/articles/tea", json={"markdown": changed}, headers=AUTH)
    assert response.status_code == 202
    drain(queue_of(app))
    assert engine.calls == calls + 1
    texts = {
        t.text for s in manifest.load(api_settings.audio_dir, "tea").sections for t in s.sentences
    }
    assert "Wait four minutes." in texts
    missing = client.put("/api/articles/nope", json={"markdown": MARKDOWN}, headers=AUTH)
    assert (
        missing.status_code == 404 and "POST /api/articles" in missing.get_json()["error"]["hint"]
    )
    clash = client.put("/api/articles/tea", json={"markdown": MARKDOWN, "slug": "x"}, headers=AUTH)
    assert clash.status_code == 400


def test_delete_removes_the_article_and_its_unshared_audio(
    client: FlaskClient, app: Flask, api_settings: Settings
) -> None:
    shared = "# Other\n\n## Brewing\n\nBoil the water. Something else entirely.\n"
    client.post("/api/articles", json={"markdown": MARKDOWN, "slug": "tea"}, headers=AUTH)
    client.post("/api/articles", json={"markdown": shared, "slug": "other"}, headers=AUTH)
    drain(queue_of(app))
    tea = manifest.load(api_settings.audio_dir, "tea")
    other = manifest.load(api_settings.audio_dir, "other")
    common = set(tea.sentence_keys) & set(other.sentence_keys)
    assert common  # "Brewing." and "Boil the water." are shared
    store = queue_of(app).runtime().store
    response = client.delete("/api/articles/tea", headers=AUTH)
    assert response.status_code == 204
    assert not (api_settings.content_dir / "tea.html").exists()
    assert not (api_settings.audio_dir / "tea").exists()
    assert all(store.sentence_path(k).exists() for k in common)
    assert not any(store.sentence_path(k).exists() for k in set(tea.sentence_keys) - common)
    assert client.get("/api/articles/tea").status_code == 404
    assert client.delete("/api/articles/tea", headers=AUTH).status_code == 404
    assert client.get("/api/articles/other").status_code == 200


def test_jobs_are_private_and_unknown_ones_are_404(client: FlaskClient) -> None:
    data = client.post("/api/articles", json={"markdown": MARKDOWN}, headers=AUTH).get_json()
    assert client.get(data["job"]).status_code == 401
    missing = client.get("/api/jobs/nope", headers=AUTH)
    assert missing.status_code == 404 and missing.get_json()["error"]["hint"]


def test_a_web_address_is_fetched_and_its_article_alone_is_narrated(
    api_settings: Settings,
    server: str,  # noqa: F811 (the fixture imported above)
) -> None:
    """The same fetch and extraction as `baclovoice import URL` (a page on loopback)."""
    settings = api_settings.replace(allow_private_urls=True)
    app = create_app(settings, {"TESTING": True})
    app.extensions[QUEUE] = NarrationQueue(
        settings, SharedEngine(FakeEngine()), huey=MemoryHuey("url")
    )
    response = app.test_client().post(
        "/api/articles", json={"url": f"{server}/article"}, headers=AUTH
    )
    assert response.status_code == 202, response.get_json()
    assert response.get_json()["slug"] == "night-trains-return"
    stored = (settings.content_dir / "night-trains-return.html").read_text()
    assert "https://rail.example/night-trains" in stored  # its canonical address is kept
    assert "All rights reserved" not in stored  # the page's footer is not the article
    drain(queue_of(app))
    narrated = manifest.load(settings.audio_dir, "night-trains-return")
    assert narrated.complete and narrated.source_url == "https://rail.example/night-trains"

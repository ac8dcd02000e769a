"""The podcast routes through Flask's test client, on real (tone) MP3 files."""

from __future__ import annotations

import io
import json
from typing import Any

import feedparser
import mutagen.id3
import pytest
from bs4 import BeautifulSoup
from flask import Flask, url_for
from flask.testing import FlaskClient
from PIL import Image
from werkzeug.test import TestResponse

from baclovoice import paths
from baclovoice.models import Manifest
from baclovoice.podcast import feed
from baclovoice.podcast.vtt import vtt_timestamp
from baclovoice.settings import Settings
from tests.feeds.conftest import HOSTILE_TITLE, make_app, publish_article
from tests.web.builders import Spec

SLUG = "baclofen-for-anxiety"
HOST = "http://localhost"

ROUTES = [  # path, content type
    ("/feed.xml", "application/rss+xml; charset=utf-8"),
    (f"/articles/{SLUG}/feed.xml", "application/rss+xml; charset=utf-8"),
    (f"/articles/{SLUG}.mp3", "audio/mpeg"),
    (f"/articles/{SLUG}/chapters.json", "application/json+chapters; charset=utf-8"),
    (f"/articles/{SLUG}/transcript.vtt", "text/vtt; charset=utf-8"),
    (f"/articles/{SLUG}/transcript", "text/html; charset=utf-8"),
    ("/cover.png", "image/png"),
    (f"/articles/{SLUG}/cover.png", "image/png"),
]
REVALIDATED = [path for path, _ in ROUTES if not path.endswith((".mp3", ".png"))]
CROSS_ORIGIN = [p for p in REVALIDATED if "feed.xml" not in p] + ["/feed.xml"]


def fetch(client: FlaskClient, path: str, method: str = "GET", **kwargs: Any) -> TestResponse:
    """The response with its body read and its file closed (leaks fail the run)."""
    with client.open(path, method=method, **kwargs) as response:
        response.get_data()
    return response


@pytest.mark.parametrize(("path", "content_type"), ROUTES)
def test_route_answers_get_and_head(client: FlaskClient, path: str, content_type: str) -> None:
    got = fetch(client, path)
    assert got.status_code == 200
    assert got.content_type == content_type
    head = fetch(client, path, "HEAD")
    assert head.status_code == 200 and head.data == b""
    assert head.headers["Content-Length"] == got.headers["Content-Length"] == str(len(got.data))
    assert head.headers["ETag"] == got.headers["ETag"]


@pytest.mark.parametrize("path", [p for p, _ in ROUTES if "nope" not in p and SLUG in p])
def test_unknown_slug_is_404(client: FlaskClient, path: str) -> None:
    response = fetch(client, path.replace(SLUG, "nope"))
    assert response.status_code == 404
    assert b"Traceback" not in response.data


@pytest.mark.parametrize("path", REVALIDATED + ["/cover.png", f"/articles/{SLUG}.mp3"])
def test_unchanged_responses_are_304_by_etag(client: FlaskClient, path: str) -> None:
    first = fetch(client, path)
    etag = first.headers["ETag"]
    again = fetch(client, path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert fetch(client, path, headers={"If-None-Match": '"other"'}).status_code == 200


@pytest.mark.parametrize("path", CROSS_ORIGIN)
def test_chapters_transcripts_and_feeds_are_readable_cross_origin(
    client: FlaskClient, path: str
) -> None:
    assert fetch(client, path).headers["Access-Control-Allow-Origin"] == "*"


def enclosures(client: FlaskClient, path: str) -> list[tuple[str, int]]:
    parsed = feedparser.parse(fetch(client, path).data)
    assert parsed.bozo == 0
    return [(e.enclosures[0].href, int(e.enclosures[0].length)) for e in parsed.entries]


@pytest.mark.parametrize("path", ["/feed.xml", f"/articles/{SLUG}/feed.xml"])
def test_enclosure_length_is_file_size_and_content_length(
    client: FlaskClient, settings: Settings, article: Manifest, path: str
) -> None:
    found = enclosures(client, path)
    assert found
    files = {f"{HOST}{paths.ARTICLE_MP3.path(slug=SLUG)}": article.full}
    for s in article.sections:
        files[f"{HOST}{paths.SECTION_MP3.path(slug=SLUG, number=s.number)}"] = s.audio
    for url, length in found:
        audio = files[url]
        assert length == audio.bytes == (settings.audio_dir / audio.file).stat().st_size
        response = fetch(client, url.removeprefix(HOST))
        assert int(response.headers["Content-Length"]) == length == len(response.data)
        assert response.data == (settings.audio_dir / audio.file).read_bytes()


def test_whole_article_mp3_has_ranges_and_a_download_name(client: FlaskClient) -> None:
    partial = fetch(client, f"/articles/{SLUG}.mp3", headers={"Range": "bytes=0-1"})
    assert partial.status_code == 206 and partial.data in (b"ID", b"\xff\xfb")
    assert partial.headers["Accept-Ranges"] == "bytes"
    download = fetch(client, f"/articles/{SLUG}.mp3?download=1")
    assert download.headers["Content-Disposition"] == f"attachment; filename={SLUG}.mp3"


def test_whole_article_mp3_has_one_chapter_per_section(
    client: FlaskClient, article: Manifest
) -> None:
    tags = mutagen.id3.ID3(io.BytesIO(fetch(client, f"/articles/{SLUG}.mp3").data))
    chapters = tags.getall("CHAP")
    assert [c.sub_frames["TIT2"].text[0] for c in chapters] == [s.title for s in article.sections]
    (toc,) = tags.getall("CTOC")
    assert list(toc.child_element_ids) == [c.element_id for c in chapters]


def test_chapters_json(client: FlaskClient, article: Manifest) -> None:
    data = json.loads(fetch(client, f"/articles/{SLUG}/chapters.json").data)
    assert data["version"] == "1.2.0"
    starts = [c["startTime"] for c in data["chapters"]]
    assert starts == sorted(starts) == [s.start for s in article.sections]
    assert all(0 <= t < article.full.duration for t in starts)
    assert data["chapters"][1]["url"] == f"{HOST}/articles/{SLUG}/#{article.sections[1].id}"


def test_whole_article_vtt_shifts_each_section_by_its_start(
    client: FlaskClient, article: Manifest
) -> None:
    text = fetch(client, f"/articles/{SLUG}/transcript.vtt").get_data(as_text=True)
    assert text.startswith("WEBVTT\n")
    cues = [block.split("\n") for block in text.strip().split("\n\n")[1:]]
    starts = [c[1].split(" --> ")[0] for c in cues]
    assert starts == sorted(starts)
    assert len(cues) == sum(len(s.sentences) for s in article.sections)
    second = next(c for c in cues if c[0] == "bv-s2-1")
    # Section 2 starts where its frames start in the whole MP3: after section 1's 3 s
    # of tone and the encoder's padding.
    start = article.sections[1].start
    assert 3.0 <= start < 3.1 and second[1].startswith(vtt_timestamp(start))
    assert second[2] == article.sections[1].title


def test_html_transcript_page(client: FlaskClient, article: Manifest) -> None:
    page = BeautifulSoup(fetch(client, f"/articles/{SLUG}/transcript").data, "html.parser")
    assert page.html["lang"] == "en"
    assert len(page.find_all("h1")) == 1
    headings = [h.get_text() for h in page.select("section > h2")]
    assert headings == [s.title for s in article.sections]
    assert "Synthetic voice" in page.get_text()
    assert page.find("a", href=paths.TRANSCRIPT_VTT.path(slug=SLUG))
    alternate = page.find("link", rel="alternate", type="application/rss+xml")
    assert alternate["href"] == paths.ARTICLE_FEED.path(slug=SLUG)
    for section in article.sections:
        for block in section.blocks:
            assert page.find(id=block.id) is not None


def test_hostile_title_is_escaped_everywhere(settings: Settings) -> None:
    publish_article(settings.audio_dir, Spec(slug="hostile", title=HOSTILE_TITLE))
    client = make_app(settings).test_client()
    page = fetch(client, "/articles/hostile/transcript")
    assert b"<script>alert" not in page.data
    assert HOSTILE_TITLE in BeautifulSoup(page.data, "html.parser").h1.get_text()
    for path in ("/feed.xml", "/articles/hostile/feed.xml"):
        xml = fetch(client, path).data
        assert b"<script>" not in xml
        parsed = feedparser.parse(xml)
        assert parsed.bozo == 0
        assert HOSTILE_TITLE in [e.title for e in parsed.entries] + [parsed.feed.title]
    data = json.loads(fetch(client, "/articles/hostile/chapters.json").data)
    assert data["title"] == HOSTILE_TITLE


def test_base_url_setting_makes_every_feed_url_absolute_to_it(
    settings: Settings, article: Manifest
) -> None:
    base = "https://pod.example.org/narrations"
    client = make_app(settings.replace(base_url=base + "/")).test_client()
    xml = fetch(client, "/feed.xml").data
    parsed = feedparser.parse(xml)
    assert parsed.entries[0].enclosures[0].href == f"{base}/articles/{SLUG}.mp3"
    assert parsed.feed.image.href == f"{base}/cover.png"
    assert feed.podcast_guid("pod.example.org/narrations/feed.xml").encode() in xml
    chapters = json.loads(fetch(client, f"/articles/{SLUG}/chapters.json").data)
    assert chapters["chapters"][0]["url"].startswith(f"{base}/articles/{SLUG}/#")


def test_request_host_is_used_without_base_url(settings: Settings, article: Manifest) -> None:
    client = make_app(settings.replace(trusted_hosts="radio.test")).test_client()
    xml = fetch(client, "/feed.xml", base_url="http://radio.test:8080").data
    assert b'url="http://radio.test:8080/articles/' in xml


def test_cover_is_served_from_the_built_file(
    client: FlaskClient, settings: Settings, article: Manifest
) -> None:
    for path, file in (
        ("/cover.png", settings.audio_dir / "cover.png"),
        (f"/articles/{SLUG}/cover.png", settings.audio_dir / article.cover),
    ):
        data = fetch(client, path).data
        assert data == file.read_bytes()
        image = Image.open(io.BytesIO(data))
        assert image.mode == "RGB" and image.size[0] == image.size[1] >= 1400


def test_missing_covers(settings: Settings, article: Manifest) -> None:
    """No article cover: the library's stands in; no library cover: 404, never 500."""
    from dataclasses import replace

    from baclovoice import manifest

    manifest.save(settings.audio_dir, replace(article, cover=""))
    client = make_app(settings).test_client()
    library = fetch(client, "/cover.png").data
    assert fetch(client, f"/articles/{SLUG}/cover.png").data == library
    (settings.audio_dir / "cover.png").unlink()
    assert fetch(client, "/cover.png").status_code == 404
    assert fetch(client, f"/articles/{SLUG}/cover.png").status_code == 404


def test_article_without_whole_mp3(settings: Settings, article: Manifest) -> None:
    from dataclasses import replace

    from baclovoice import manifest

    manifest.save(settings.audio_dir, replace(article, full=None))
    client = make_app(settings).test_client()
    assert fetch(client, f"/articles/{SLUG}.mp3").status_code == 404
    assert feedparser.parse(fetch(client, "/feed.xml").data).entries == []
    assert len(feedparser.parse(fetch(client, f"/articles/{SLUG}/feed.xml").data).entries) == 3


def test_feed_changes_only_when_a_manifest_does(
    client: FlaskClient, settings: Settings, article: Manifest
) -> None:
    first = fetch(client, "/feed.xml")
    assert fetch(client, "/feed.xml").data == first.data
    publish_article(settings.audio_dir, Spec(slug="another", title="Another Article"))
    second = fetch(client, "/feed.xml", headers={"If-None-Match": first.headers["ETag"]})
    assert second.status_code == 200 and b"Another Article" in second.data


# The public contract, spelled out: podcast apps and bookmarks hold these URLs.
@pytest.mark.parametrize(
    ("route", "values", "path"),
    [
        (paths.LIBRARY_FEED, {}, "/feed.xml"),
        (paths.LIBRARY_COVER, {}, "/cover.png"),
        (paths.ARTICLE_FEED, {"slug": SLUG}, f"/articles/{SLUG}/feed.xml"),
        (paths.ARTICLE_MP3, {"slug": SLUG}, f"/articles/{SLUG}.mp3"),
        (paths.ARTICLE_COVER, {"slug": SLUG}, f"/articles/{SLUG}/cover.png"),
        (paths.CHAPTERS, {"slug": SLUG}, f"/articles/{SLUG}/chapters.json"),
        (paths.TRANSCRIPT_VTT, {"slug": SLUG}, f"/articles/{SLUG}/transcript.vtt"),
        (paths.TRANSCRIPT_HTML, {"slug": SLUG}, f"/articles/{SLUG}/transcript"),
        (paths.PLAYER, {"slug": SLUG}, f"/articles/{SLUG}/"),
        (paths.SECTION_MP3, {"slug": SLUG, "number": 2}, f"/articles/{SLUG}/sections/2.mp3"),
        (paths.SECTION_VTT, {"slug": SLUG, "number": 2}, f"/articles/{SLUG}/sections/2.vtt"),
        (paths.INDEX, {}, "/"),
        (paths.API_ARTICLES, {}, "/api/articles"),
        (paths.API_ARTICLE, {"slug": SLUG}, f"/api/articles/{SLUG}"),
        (paths.HEALTHZ, {}, "/healthz"),
        (paths.ARTICLE_EPUB, {"slug": SLUG}, f"/articles/{SLUG}.epub"),
        (paths.ARTICLE_M4B, {"slug": SLUG}, f"/articles/{SLUG}.m4b"),
        (paths.OFFLINE_FILES, {"slug": SLUG}, f"/articles/{SLUG}/offline.json"),
        (paths.SERVICE_WORKER, {}, "/sw.js"),
        (paths.WEB_MANIFEST, {}, "/manifest.webmanifest"),
    ],
)
def test_path_table_matches_the_app_routes(
    app: Flask, route: paths.Route, values: dict, path: str
) -> None:
    assert route.path(**values) == path
    with app.test_request_context():
        assert url_for(route.endpoint, **values) == path


def test_every_route_of_the_app_is_in_the_path_table(app: Flask) -> None:
    rules = {r.endpoint: r.rule for r in app.url_map.iter_rules() if r.endpoint != "static"}
    assert rules == {r.endpoint: r.rule for r in paths.ROUTES}

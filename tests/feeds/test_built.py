"""Feeds of an article built by the real pipeline and voice, fetched over real HTTP."""

from __future__ import annotations

import io
import json
import urllib.request
from email.message import Message
from pathlib import Path

import feedparser
import mutagen.id3
import podcastparser
import pytest

from baclovoice import audio, manifest, paths
from baclovoice.build.builder import build
from baclovoice.settings import Settings
from tests.feeds.conftest import copy_of, make_app

pytestmark = pytest.mark.slow

FEEDS = ["/feed.xml", "/articles/tiny/feed.xml"]


def fetch(url: str, method: str = "GET") -> tuple[bytes, Message]:
    request = urllib.request.Request(url, method=method)
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read(), response.headers


@pytest.mark.parametrize("path", FEEDS)
def test_feed_parsers_accept_the_built_feeds(live_built: str, path: str) -> None:
    body, headers = fetch(live_built + path)
    assert headers["Content-Type"] == "application/rss+xml; charset=utf-8"
    parsed = feedparser.parse(body)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    pod = podcastparser.parse(live_built + path, io.BytesIO(body))
    assert [e["guid"] for e in pod["episodes"]] == [e.id for e in parsed.entries]
    assert len(pod["episodes"]) == (1 if path == "/feed.xml" else 2)


@pytest.mark.parametrize("path", FEEDS)
def test_enclosures_match_files_http_and_decoded_audio(
    live_built: str, built: Settings, path: str
) -> None:
    m = manifest.load(built.audio_dir, "tiny")
    files = {live_built + paths.ARTICLE_MP3.path(slug="tiny"): m.full}
    files |= {
        live_built + paths.SECTION_MP3.path(slug="tiny", number=s.number): s.audio
        for s in m.sections
    }
    pod = podcastparser.parse(live_built + path, io.BytesIO(fetch(live_built + path)[0]))
    for episode in pod["episodes"]:
        (enclosure,) = episode["enclosures"]
        _, head = fetch(enclosure["url"], "HEAD")
        data, headers = fetch(enclosure["url"])
        published = files[enclosure["url"]]
        on_disk = built.audio_dir / published.file
        assert enclosure["file_size"] == on_disk.stat().st_size == len(data)
        assert int(head["Content-Length"]) == int(headers["Content-Length"]) == len(data)
        assert data == on_disk.read_bytes()
        decoded = audio.decode(data)
        seconds = len(decoded.samples) / decoded.sample_rate
        assert abs(episode["total_time"] - seconds) <= 1.0


def test_chapters_are_ascending_inside_the_whole_mp3(live_built: str, built: Settings) -> None:
    m = manifest.load(built.audio_dir, "tiny")
    data, headers = fetch(live_built + "/articles/tiny/chapters.json")
    assert headers["Access-Control-Allow-Origin"] == "*"
    chapters = json.loads(data)["chapters"]
    starts = [c["startTime"] for c in chapters]
    assert starts == sorted(starts) and len(set(starts)) == len(starts) == len(m.sections)
    full = audio.decode(fetch(live_built + "/articles/tiny.mp3")[0])
    length = len(full.samples) / full.sample_rate
    assert all(0 <= t < length for t in starts)
    assert all(c["endTime"] <= length + 0.05 for c in chapters)


def test_whole_mp3_has_one_id3_chapter_per_section(live_built: str, built: Settings) -> None:
    m = manifest.load(built.audio_dir, "tiny")
    tags = mutagen.id3.ID3(io.BytesIO(fetch(live_built + "/articles/tiny.mp3")[0]))
    chapters = sorted(tags.getall("CHAP"), key=lambda c: c.start_time)
    assert [c.sub_frames["TIT2"].text[0] for c in chapters] == [s.title for s in m.sections]
    assert [c.start_time / 1000 for c in chapters] == pytest.approx(
        [s.start for s in m.sections], abs=0.002
    )
    assert len(tags.getall("CTOC")) == 1


def guids_and_enclosures(settings: Settings) -> list[tuple[str, str, str]]:
    client = make_app(settings).test_client()
    found = []
    for path in FEEDS:
        parsed = feedparser.parse(client.get(path).data)
        found += [(path, e.id, e.enclosures[0].href) for e in parsed.entries]
    return found


def test_guids_are_unique_and_survive_a_forced_rebuild(built: Settings, tmp_path: Path) -> None:
    before = guids_and_enclosures(built)
    guids = [g for _, g, _ in before]
    assert len(set(guids)) == len(guids) == 3
    assert len({url for _, _, url in before}) == 3
    rebuilt = copy_of(built, tmp_path)
    report = build(rebuilt, force=True)
    assert report.synthesized == report.sentences > 0
    assert guids_and_enclosures(rebuilt) == before


def test_built_cover_art(live_built: str) -> None:
    from PIL import Image

    for path in ("/cover.png", "/articles/tiny/cover.png"):
        data, headers = fetch(live_built + path)
        _, head = fetch(live_built + path, "HEAD")
        assert headers["Content-Type"] == head["Content-Type"] == "image/png"
        assert int(head["Content-Length"]) == len(data)
        image = Image.open(io.BytesIO(data))
        assert image.mode == "RGB" and image.size[0] == image.size[1]
        assert 1400 <= image.size[0] <= 3000

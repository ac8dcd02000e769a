"""Subscribe and whole-article download on the index and the player page (issue 4 §6)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag
from flask.testing import FlaskClient

from baclovoice import manifest
from baclovoice.models import AudioFile, Manifest
from baclovoice.settings import Settings
from baclovoice.web import create_app
from baclovoice.web.formatting import podcast_url
from tests.web.test_pages import PLAYER, soup_of, tag

SLUG = "baclofen-for-anxiety"
LIBRARY_FEED = "http://localhost/feed.xml"
ARTICLE_FEED = f"http://localhost/articles/{SLUG}/feed.xml"


def with_full(audio_dir: Path, m: Manifest) -> Manifest:
    """Give the article a whole-article MP3 (the first section's bytes stand in for it)."""
    first = m.sections[0].audio
    full = AudioFile(first.file, 1_234_567, 754.4, first.sha256)
    m = dataclasses.replace(m, full=full)
    manifest.save(audio_dir, m)
    return m


def feed_box(soup: BeautifulSoup, field_id: str) -> Tag:
    return tag(tag(soup.find(id=field_id)).find_parent(class_="bv-feed"))


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://example.org/feed.xml", "podcast://example.org/feed.xml"),
        ("https://example.org/a/b/feed.xml", "podcast://example.org/a/b/feed.xml"),
        ("/feed.xml", "/feed.xml"),
        ("ftp://example.org/feed.xml", "ftp://example.org/feed.xml"),
    ],
)
def test_podcast_url(url: str, expected: str) -> None:
    assert podcast_url(url) == expected


@pytest.mark.parametrize(
    ("page", "feeds"),
    [
        ("/", {"bv-feed-library": LIBRARY_FEED}),
        (PLAYER, {"bv-feed-article": ARTICLE_FEED, "bv-feed-library": LIBRARY_FEED}),
    ],
)
def test_subscribe_offers_each_feed_to_copy_and_open(
    client: FlaskClient, page: str, feeds: dict[str, str]
) -> None:
    soup = soup_of(client, page)
    section = tag(tag(soup.find(id="bv-sub")).find_parent("section"))
    assert tag(section.find("h2")).get_text() == "Subscribe"
    assert [str(i["id"]) for i in section.find_all("input")] == list(feeds)
    for field_id, url in feeds.items():
        box = feed_box(soup, field_id)
        field = tag(box.find("input"))
        assert field["value"] == url and field.has_attr("readonly")  # the no-JS fallback
        assert tag(box.find("label"))["for"] == field_id
        copy = tag(box.find("button"))
        assert copy["data-copy"] == field_id and copy.has_attr("hidden")  # player.js shows it
        assert copy.get_text().startswith("Copy the address of")
        link = tag(box.find("a"))
        assert link["href"] == podcast_url(url) == url.replace("http://", "podcast://")
        assert "in a podcast app" in link.get_text()
    names = [b.get_text() for b in section.find_all("button")] + [
        a.get_text() for a in section.find_all("a")
    ]
    assert len(names) == len(set(names))  # each control says which feed it is for
    assert soup.select("[role=status]"), "copy feedback needs a status region"


@pytest.mark.parametrize(
    ("page", "alternates"),
    [
        ("/", [LIBRARY_FEED]),
        (PLAYER, [ARTICLE_FEED, LIBRARY_FEED]),  # the page's own feed first
    ],
)
def test_pages_advertise_their_feeds(client: FlaskClient, page: str, alternates: list[str]) -> None:
    soup = soup_of(client, page)
    links = soup.find_all("link", rel="alternate", type="application/rss+xml")
    assert ["http://localhost" + str(tag(link)["href"]) for link in links] == alternates
    assert all(tag(link).get("title") for link in links)
    for link in links:
        assert client.get(str(tag(link)["href"])).status_code == 200


def test_feed_addresses_follow_the_public_base_url(settings: Settings, article: Manifest) -> None:
    public = dataclasses.replace(settings, base_url="https://listen.example.org/")
    client = create_app(public, {"TESTING": True}).test_client()
    soup = soup_of(client, PLAYER)
    assert tag(soup.find(id="bv-feed-library"))["value"] == "https://listen.example.org/feed.xml"
    article_feed = f"https://listen.example.org/articles/{SLUG}/feed.xml"
    assert tag(soup.find(id="bv-feed-article"))["value"] == article_feed
    assert feed_box(soup, "bv-feed-article").find("a", href=podcast_url(article_feed))


@pytest.mark.parametrize("page", ["/", PLAYER])
def test_whole_article_download_names_size_and_duration(
    client: FlaskClient, audio_dir: Path, article: Manifest, page: str
) -> None:
    assert not soup_of(client, page).find(string=lambda s: "whole article" in s)  # none built
    m = with_full(audio_dir, article)
    assert m.full is not None
    link = tag(soup_of(client, page).find("a", string=lambda s: "whole article" in s))
    assert link.get_text() == "Download the whole article (MP3, 1.2 MB, 12 min 34 s)"
    assert link.has_attr("download")
    assert link["href"] == f"/articles/{SLUG}.mp3?v={m.full.sha256[:16]}&download=1"
    response = client.get(str(link["href"]))
    assert response.status_code == 200 and response.mimetype == "audio/mpeg"
    assert response.headers["Content-Disposition"].startswith("attachment")
    response.close()

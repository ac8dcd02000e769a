"""The library index and the player page: structure, transcript, text, weight."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import brotli
import pytest
from bs4 import BeautifulSoup, Tag
from flask.testing import FlaskClient

from baclovoice.models import Manifest
from baclovoice.settings import Settings
from baclovoice.web import create_app
from tests.conftest import SEED_HTML
from tests.web.builders import Spec, long_spec, publish

PLAYER = "/articles/baclofen-for-anxiety/"


def soup_of(client: FlaskClient, url: str) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/html"
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def tag(node: object) -> Tag:
    assert isinstance(node, Tag), node
    return node


@pytest.fixture
def player(client: FlaskClient) -> BeautifulSoup:
    return soup_of(client, PLAYER)


def test_index_lists_every_article_with_its_facts(client: FlaskClient, audio_dir: Path) -> None:
    publish(audio_dir, Spec(slug="second", title="A Second Article", date=None, seconds=2.0))
    soup = soup_of(client, "/")
    cards = soup.select(".bv-library > li")
    assert [tag(c.find("a")).get_text() for c in cards] == [
        "Baclofen for Anxiety: Can It Help?",  # dated articles first
        "A Second Article",
    ]
    first = cards[0].get_text(" ", strip=True)
    assert "Published April 27, 2023" in first
    assert "3 sections, 9 seconds in total" in first
    assert tag(cards[0].find("a"))["href"] == PLAYER
    assert "3 sections, 6 seconds in total" in cards[1].get_text(" ", strip=True)
    assert tag(soup.find("time"))["datetime"] == "2023-04-27"
    assert len(soup.find_all("h1")) == 1


def test_index_without_articles_says_how_to_build(client: FlaskClient, audio_dir: Path) -> None:
    (audio_dir / "baclofen-for-anxiety" / "manifest.json").unlink()
    text = soup_of(client, "/").get_text(" ", strip=True)
    assert "No narrations have been built yet" in text
    assert "baclovoice build" in text


def test_page_skeleton(player: BeautifulSoup, article: Manifest) -> None:
    html = tag(player.find("html"))
    assert html["lang"] == "en"
    assert tag(player.find("title")).get_text() == f"{article.title} · Listen · baclovoice"
    skip = tag(player.find("a"))  # the first link skips to the main landmark
    assert skip["href"] == "#bv-main" and tag(player.find(id="bv-main")).name == "main"
    for landmark in ("header", "main", "nav", "footer"):
        assert player.find(landmark), landmark
    h1s = player.find_all("h1")
    assert len(h1s) == 1 and h1s[0]["id"] == "title"
    assert h1s[0].get_text() == article.title
    published = tag(player.find(id="published"))
    assert published.get_text() == "Published April 27, 2023"
    assert tag(published.find("time"))["datetime"] == "2023-04-27"


def test_a_heading_and_a_nav_entry_per_section(player: BeautifulSoup, article: Manifest) -> None:
    nav = tag(player.find("nav"))
    links = [(a["href"], a.get_text()) for a in nav.find_all("a")]
    assert links == [(f"#{s.id}", s.title) for s in article.sections]
    for section in article.sections:
        heading = tag(player.find(id=section.id))
        assert heading.name == "h2" and heading.get_text() == section.title
    assert tag(player.find(id="understanding-baclofen-and-its-uses-2")).name == "h3"


def test_native_audio_and_download_link_per_section(
    player: BeautifulSoup, article: Manifest
) -> None:
    for section in article.sections:
        box = tag(player.find(id=f"bv-section-{section.number}"))
        audio = tag(box.find("audio"))
        assert audio.has_attr("controls") and audio["preload"] == "none"
        assert not audio.has_attr("autoplay")
        assert audio["src"] == (
            f"/articles/baclofen-for-anxiety/sections/{section.number}.mp3"
            f"?v={section.audio.sha256[:16]}"
        )
        download = tag(box.find("a", class_="bv-download"))
        assert download["href"] == f"{audio['src']}&download=1"
        assert download.get_text() == (
            f"Download section {section.number}, {section.title} (MP3, 24 kB, 3 s)"
        )
        assert box.find("button") is None  # "Play from here" only works with player.js: it makes it
    assert "Baclofen's Potential for Treating Anxiety (MP3, 24 kB, 3 s)" in player.get_text()


def test_transcript_has_a_timed_span_per_shown_sentence(
    player: BeautifulSoup, article: Manifest
) -> None:
    for section in article.sections:
        for index, timing in enumerate(section.sentences, start=1):
            span = tag(player.find(id=f"bv-s{section.number}-{index}"))
            assert span.name == "span"
            assert span.get_text() == timing.text
            assert float(str(span["data-start"])) == pytest.approx(timing.start, abs=0.001)
            owner = tag(span.find_parent(id=True))
            assert owner["id"] == timing.element_id  # inside its block element
    items = player.select("#bv-section-2 ul > li")
    assert [li.get_text() for li in items] == ["Generalized anxiety disorder.", "Panic disorder."]
    assert tag(player.find(id="anxiety-disorders-and-treatment-options-4")).name == "blockquote"


def test_ids_are_unique_and_chrome_ids_are_prefixed(
    player: BeautifulSoup, article: Manifest
) -> None:
    ids = [str(node["id"]) for node in player.find_all(id=True)]
    assert len(ids) == len(set(ids))
    content_ids = {"title", "published"} | {s.id for s in article.sections}
    content_ids |= {b.id for s in article.sections for b in s.blocks}
    assert all(i in content_ids or i.startswith("bv-") for i in ids), ids


def test_player_bar_controls(player: BeautifulSoup) -> None:
    bar = tag(player.find(id="bv-player"))
    assert bar.has_attr("hidden")  # without JS the native players do the work
    names = [re.sub(r"\s+", " ", b.get_text()).strip() for b in bar.find_all("button")]
    assert names == [
        "Previous section",
        "Back 15 seconds",
        "Play",
        "Forward 15 seconds",
        "Next section",
    ]
    seek = tag(bar.find("input", type="range"))
    assert seek["aria-valuetext"] == "0 seconds of 3 seconds"
    assert tag(bar.find("label", attrs={"for": "bv-seek"})).get_text() == "Position in section"
    speed = tag(bar.find("select", id="bv-speed"))  # player.js adds an option per rate
    rates = [float(rate) for rate in str(speed["data-rates"]).split()]
    assert rates[0] == 0.5 and rates[-1] == 3.0 and 1.0 in rates
    live = player.select("[aria-live], [role=status], [role=alert], [role=log]")
    assert [str(node["id"]) for node in live] == ["bv-status"]
    keys = tag(player.find(id="bv-keys"))
    assert tag(keys.find("summary")).get_text() == "Keyboard shortcuts"
    assert tag(keys.find("input", type="checkbox")).has_attr("checked")


def test_synthetic_voice_note_names_engine_and_voice(player: BeautifulSoup) -> None:
    note = tag(player.find(class_="bv-voice")).get_text(" ", strip=True)
    assert "Synthetic voice" in note
    assert "Piper" in note and "joe (en_US, medium)" in note


def test_no_inline_script_style_or_handlers(player: BeautifulSoup) -> None:
    for script in player.find_all("script"):
        assert script.get("src") and not script.get_text().strip()
    assert not player.find_all("style")
    for node in player.find_all(True):
        assert "style" not in node.attrs
        assert not [a for a in node.attrs if a.startswith("on")], node.name


def test_hostile_text_is_shown_escaped(client: FlaskClient, audio_dir: Path) -> None:
    hostile = "<script>alert(1)</script>"
    sections = ((f"Part {hostile}", (("paragraph", f"Text {hostile} & more."),)),)
    publish(audio_dir, Spec(slug="evil", title=f"Evil {hostile}", sections=sections))
    for url in ("/", "/articles/evil/"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    soup = soup_of(client, "/articles/evil/")
    assert tag(soup.find("h1")).get_text() == f"Evil {hostile}"
    assert all(s.get("src") for s in soup.find_all("script"))


def test_player_page_weighs_under_60_kb(tmp_path: Path) -> None:
    """HTML + CSS + JS before compression for the seed article itself (fonts excluded),
    built from the committed content with the fake engine: the page does not depend on
    what the voice says, only on the text and its timings."""
    from baclovoice.build.builder import build

    (tmp_path / "content").mkdir()
    shutil.copy(SEED_HTML, tmp_path / "content" / SEED_HTML.name)
    settings = Settings.load(
        environ={},
        content_dir=tmp_path / "content",
        audio_dir=tmp_path / "audio",
        engine="fake",
        formats="none",
    )
    build(settings)
    client = create_app(settings, {"TESTING": True}).test_client()
    html = client.get(f"/articles/{SEED_HTML.stem}/").get_data()
    assert len(re.findall(rb"<span id=\"bv-s", html)) > 40  # every sentence timed
    soup = BeautifulSoup(html, "html.parser")
    assets = [tag(link)["href"] for link in soup.find_all("link", rel="stylesheet")]
    assets += [tag(script)["src"] for script in soup.find_all("script")]
    assert len(assets) == 3  # the style sheet, player.js and offline.js (its UI loads on demand)
    total = len(html)
    for url in assets:
        with client.get(str(url)) as asset:
            total += len(asset.get_data())
    assert total < 60_000, f"player page weighs {total} bytes"


def test_player_page_compresses_to_under_16_kb(client: FlaskClient, audio_dir: Path) -> None:
    """The same page as served to a browser that accepts Brotli (fonts are not counted)."""
    publish(audio_dir, Spec(slug="long", sections=long_spec().sections))
    br = {"Accept-Encoding": "br"}
    html = client.get("/articles/long/", headers=br)
    soup = BeautifulSoup(brotli.decompress(html.get_data()), "html.parser")
    urls = [str(tag(link)["href"]) for link in soup.find_all("link", rel="stylesheet")]
    urls += [str(tag(script)["src"]) for script in soup.find_all("script")]
    total = len(html.get_data())
    for url in urls:
        with client.get(url, headers=br) as asset:
            assert asset.headers["Content-Encoding"] == "br"
            total += len(asset.get_data())
    assert total < 16_000, f"player page weighs {total} bytes with Brotli"


def test_language_of_the_article_sets_lang(client: FlaskClient, audio_dir: Path) -> None:
    publish(audio_dir, Spec(slug="deutsch", title="Auf Deutsch", language="de_DE"))
    assert tag(soup_of(client, "/articles/deutsch/").find("html"))["lang"] == "de-DE"

"""The read-along tools as served: present, labelled, and hidden until player.js runs."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from flask.testing import FlaskClient

from baclovoice import manifest
from baclovoice.models import Manifest
from tests.web.test_pages import PLAYER, soup_of, tag


def options(soup: BeautifulSoup, select_id: str) -> list[tuple[str, str]]:
    select = tag(soup.find("select", id=select_id))
    return [(str(tag(o)["value"]), tag(o).get_text()) for o in select.find_all("option")]


@pytest.fixture
def player(client: FlaskClient) -> BeautifulSoup:
    return soup_of(client, PLAYER)


def test_tools_mini_player_and_preferences_wait_for_the_script(player: BeautifulSoup) -> None:
    for element_id in ("bv-tools", "bv-resume", "bv-mini", "bv-prefs", "bv-keys"):
        assert tag(player.find(id=element_id)).has_attr("hidden"), element_id
    mini = tag(player.find(id="bv-mini"))
    assert mini.name == "section" and mini["aria-label"] == "Mini player"
    assert not mini.contents  # player.js fills it
    skip = tag(player.find("a", href="#bv-play"))
    assert skip.get_text() == "Skip to the player" and skip.has_attr("hidden")


def test_every_tool_control_has_a_label(player: BeautifulSoup) -> None:
    tools = tag(player.find(id="bv-tools"))
    prefs = tag(player.find(id="bv-prefs"))
    controls = tools.find_all(["select", "input"]) + prefs.find_all(["select", "input"])
    assert len(controls) == 4 + 7
    for control in controls:
        label = player.find("label", attrs={"for": control["id"]})
        assert label is not None and label.get_text().strip(), control["id"]
    summaries = [s.get_text() for s in tools.find_all("summary")]
    assert summaries == ["Go to a section or time", "Find in the article"]
    assert tag(prefs.find("summary")).get_text() == "Reading preferences"
    assert tag(player.find(id="bv-vol"))["aria-valuetext"] == "100 %"


@pytest.mark.parametrize("path", ["/", "/articles/baclofen-for-anxiety/transcript", "/nowhere"])
def test_reading_preferences_on_every_page(client: FlaskClient, path: str) -> None:
    """Every page offers the preferences; those about the highlight only where it exists."""
    soup = (
        soup_of(client, path)
        if path != "/nowhere"
        else BeautifulSoup(client.get(path).get_data(as_text=True), "html.parser")
    )
    prefs = tag(soup.find(id="bv-prefs"))
    assert prefs.find_parent("header")  # at the top, in the site header
    ids = [str(control["id"]) for control in prefs.find_all(["select", "input"])]
    assert ids == ["bv-size", "bv-lh", "bv-theme", "bv-font"]


@pytest.mark.parametrize(
    ("select_id", "expected"),
    [
        (
            "bv-sleep",
            [
                ("", "Off"),
                ("end", "At the end of this section"),
                ("15", "In 15 minutes"),
                ("30", "In 30 minutes"),
                ("60", "In 60 minutes"),
            ],
        ),
        (
            "bv-size",
            [
                ("1", "100 %"),
                ("1.25", "125 %"),
                ("1.5", "150 %"),
                ("2", "200 %"),
                ("2.5", "250 %"),
                ("3", "300 %"),
                ("4", "400 %"),
            ],
        ),
        ("bv-lh", [("", "Normal"), ("2", "Wide"), ("2.5", "Extra wide")]),
        ("bv-hls", [("", "Outline and tint"), ("fill", "Filled"), ("under", "Underline")]),
        ("bv-hlw", [("", "Thin"), ("2", "Medium"), ("3", "Thick")]),
        (
            "bv-theme",
            [
                ("", "As the device"),
                ("light", "Light"),
                ("dark", "Dark"),
                ("contrast", "High contrast: yellow on black"),
            ],
        ),
    ],
)
def test_choices_offered(
    player: BeautifulSoup, select_id: str, expected: list[tuple[str, str]]
) -> None:
    assert options(player, select_id) == expected


def test_highlight_is_on_and_legible_font_off_by_default(player: BeautifulSoup) -> None:
    assert tag(player.find(id="bv-hl")).has_attr("checked")
    assert not tag(player.find(id="bv-font")).has_attr("checked")


def test_go_to_time_explains_its_format(player: BeautifulSoup) -> None:
    field = tag(player.find(id="bv-goto-t"))
    label = tag(player.find("label", attrs={"for": "bv-goto-t"}))
    assert "minutes:seconds" in label.get_text()
    error = tag(player.find(id=str(field["aria-describedby"])))
    assert error.has_attr("hidden") and "for example 1:20" in error.get_text()


@pytest.mark.parametrize("cover", ["", "baclofen-for-anxiety/cover-0123456789ab.png"])
def test_bar_carries_media_session_metadata(
    client: FlaskClient, audio_dir: Path, article: Manifest, cover: str
) -> None:
    manifest.save(audio_dir, dataclasses.replace(article, cover=cover))
    bar = tag(soup_of(client, PLAYER).find(id="bv-player"))
    assert bar["data-slug"] == article.slug
    assert bar["data-album"] == article.title
    assert bar["data-artist"] == article.author
    assert bar["data-cover"] == ("/articles/baclofen-for-anxiety/cover.png" if cover else "")

"""The feeds as pure functions: manifests + base URL → RSS bytes, checked by three parsers."""

from __future__ import annotations

import datetime as dt
import html
import io
from email.utils import parsedate_to_datetime

import feedparser
import podcastparser
import pytest
from lxml import etree

from baclovoice.podcast import feed
from baclovoice.podcast.chapters import chapters_json
from tests.feeds import samples

BASE = "https://listen.example.org/sub"
UPDATED = dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
NS = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "podcast": "https://podcastindex.org/namespace/1.0",
    "atom": "http://www.w3.org/2005/Atom",
    "content": "http://purl.org/rss/1.0/modules/content/",
}
HOSTILE = "Fish & Chips <script>alert(\"x\")</script> ]]> “quoted” 'tick'"


def library(*manifests, base: str = BASE) -> bytes:
    chosen = manifests or (samples.manifest(), samples.manifest("beta", "Beta Article"))
    return feed.library_feed(list(chosen), base, UPDATED)


def serial(m=None, base: str = BASE) -> bytes:
    return feed.article_feed(m or samples.manifest(), base, UPDATED)


def tree(xml: bytes) -> etree._Element:
    return etree.fromstring(xml)


FEEDS = {"library": library, "serial": serial}


@pytest.fixture(params=sorted(FEEDS))
def xml(request: pytest.FixtureRequest) -> bytes:
    return FEEDS[request.param]()


def test_namespaces_are_exactly_the_specified_uris(xml: bytes) -> None:
    root = tree(xml)
    assert root.tag == "rss" and root.get("version") == "2.0"
    assert {k: root.nsmap[k] for k in ("itunes", "podcast", "atom")} == {
        "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
        "podcast": "https://podcastindex.org/namespace/1.0",
        "atom": "http://www.w3.org/2005/Atom",
    }
    assert xml.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")


@pytest.mark.parametrize(
    "path",
    [
        "title",
        "link",
        "description",
        "language",
        "lastBuildDate",
        "atom:link[@rel='self'][@type='application/rss+xml']",
        "image/url",
        "itunes:image",
        "itunes:category",
        "itunes:explicit",
        "itunes:author",
        "itunes:type",
        "podcast:guid",
        "podcast:medium",
        "podcast:txt[@purpose='ai-content']",
    ],
)
def test_channel_has_every_required_element_once(xml: bytes, path: str) -> None:
    assert len(tree(xml).findall(f"channel/{path}", NS)) == 1


def test_channel_values(xml: bytes) -> None:
    ch = tree(xml).find("channel")
    assert ch.findtext("itunes:explicit", namespaces=NS) == "false"
    assert ch.findtext("podcast:medium", namespaces=NS) == "podcast"
    assert ch.find("itunes:image", NS).get("href").startswith(BASE + "/")
    assert ch.find("itunes:image", NS).get("href").endswith("/cover.png")
    assert ch.find("itunes:category", NS).get("text") == "Health & Fitness"
    assert ch.findtext("lastBuildDate") == "Tue, 02 Jan 2024 03:04:05 GMT"
    self_url = ch.find("atom:link", NS).get("href")
    assert ch.findtext("podcast:guid", namespaces=NS) == feed.podcast_guid(self_url)
    assert "synthetic" in ch.findtext("description")
    assert "joe (en_US, medium)" in ch.findtext("podcast:txt", namespaces=NS)


@pytest.mark.parametrize(
    ("url", "guid"),
    [  # vectors from the Podcasting 2.0 namespace's docs/tags/guid.md
        ("https://mp3s.nashownotes.com/pc20rss.xml", "917393e3-1b1e-5cef-ace4-edaa54e1f810"),
        ("mp3s.nashownotes.com/pc20rss.xml", "917393e3-1b1e-5cef-ace4-edaa54e1f810"),
        ("https://podnews.net/rss", "9b024349-ccf0-5f69-a609-6b82873eab3c"),
        ("http://podnews.net/rss////", "9b024349-ccf0-5f69-a609-6b82873eab3c"),
    ],
)
def test_podcast_guid_follows_the_podcasting_2_rule(url: str, guid: str) -> None:
    assert feed.podcast_guid(url) == guid


def test_feedparser_reads_both_feeds_without_error(xml: bytes) -> None:
    parsed = feedparser.parse(xml)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "rss20"
    assert parsed.entries
    for entry in parsed.entries:
        assert entry.guidislink is False
        (enclosure,) = entry.enclosures
        assert enclosure.type == "audio/mpeg" and enclosure.href.startswith(BASE + "/")
        assert int(enclosure.length) > 0


def test_podcastparser_reads_the_library_feed() -> None:
    parsed = podcastparser.parse(BASE + "/feed.xml", io.BytesIO(library()))
    assert parsed["title"] == "baclovoice"
    assert [e["title"] for e in parsed["episodes"]] == ["Alpha Article", "Beta Article"]
    first = parsed["episodes"][0]
    assert first["guid"] == "baclovoice:article:alpha"
    assert first["enclosures"] == [
        {"url": BASE + "/articles/alpha.mp3", "file_size": 123_456, "mime_type": "audio/mpeg"}
    ]
    assert first["total_time"] == round(3 * 61.4)
    assert first["episode_art_url"] == BASE + "/cover.png"
    assert "0:00" in first["description"] and "<ol>" in first["description_html"]
    # podcastparser 0.6.11 maps only the podcast namespace's old GitHub URI, not the
    # official https://podcastindex.org/namespace/1.0, so it reports no chapters or
    # transcript URL; lxml checks those (test_library_feed_is_episodic_with_...).
    assert first["published"] == dt.datetime(2023, 4, 27, 12, tzinfo=dt.UTC).timestamp()


def test_podcastparser_reads_the_serial_feed() -> None:
    parsed = podcastparser.parse(BASE + "/articles/alpha/feed.xml", io.BytesIO(serial()))
    assert parsed["title"] == "Alpha Article"
    assert [e["number"] for e in parsed["episodes"]] == [1, 2, 3]
    assert [e["enclosures"][0]["url"] for e in parsed["episodes"]] == [
        f"{BASE}/articles/alpha/sections/{n}.mp3" for n in (1, 2, 3)
    ]
    assert [e["enclosures"][0]["file_size"] for e in parsed["episodes"]] == [
        10_000,
        20_000,
        30_000,
    ]


def test_serial_feed_numbers_episodes_in_reading_order() -> None:
    ch = tree(serial()).find("channel")
    assert ch.findtext("itunes:type", namespaces=NS) == "serial"
    items = ch.findall("item")
    assert [i.findtext("itunes:episode", namespaces=NS) for i in items] == ["1", "2", "3"]
    assert {i.findtext("itunes:season", namespaces=NS) for i in items} == {"1"}
    dates = [parsedate_to_datetime(i.findtext("pubDate")) for i in items]
    assert dates == sorted(dates) and len(set(dates)) == 3
    assert dates[0] == dt.datetime(2023, 4, 27, 12, tzinfo=dt.UTC)


def test_library_feed_is_episodic_with_chapters_and_transcripts() -> None:
    ch = tree(library()).find("channel")
    assert ch.findtext("itunes:type", namespaces=NS) == "episodic"
    item = ch.find("item")
    chapters = item.find("podcast:chapters", NS)
    assert chapters.get("url") == BASE + "/articles/alpha/chapters.json"
    assert chapters.get("type") == "application/json+chapters"
    transcripts = {t.get("type"): t.get("url") for t in item.findall("podcast:transcript", NS)}
    assert transcripts == {
        "text/vtt": BASE + "/articles/alpha/transcript.vtt",
        "text/html": BASE + "/articles/alpha/transcript",
    }


def test_items_have_stable_unique_guids_from_slug_and_section() -> None:
    lib = tree(library()).findall("channel/item/guid")
    ser = tree(serial()).findall("channel/item/guid")
    guids = [g.text for g in lib + ser]
    assert len(set(guids)) == len(guids) == 5
    assert {g.get("isPermaLink") for g in lib + ser} == {"false"}
    assert [g.text for g in ser] == [f"baclovoice:section:alpha:part-{n}" for n in (1, 2, 3)]
    # Independent of where the feed is served from, of file hashes and of the clock.
    other = tree(feed.article_feed(samples.manifest(), "http://127.0.0.1:9", UPDATED))
    assert [g.text for g in other.findall("channel/item/guid")] == [g.text for g in ser]
    assert all("0123456789ab" not in g and "abcdef" not in g for g in guids)


def test_same_manifests_give_the_same_bytes(xml: bytes) -> None:
    assert library() == library() and serial() == serial()


def test_enclosure_urls_are_unique_and_absolute() -> None:
    urls = [e.get("url") for x in (library(), serial()) for e in tree(x).iter("enclosure")]
    assert len(set(urls)) == len(urls)
    assert all(u.startswith(BASE + "/articles/") for u in urls)


@pytest.mark.parametrize(
    ("duration", "expected"), [(61.4, "61"), (61.5, "62"), (3599.9, "3600"), (0.2, "0")]
)
def test_duration_is_whole_seconds(duration: float, expected: str) -> None:
    m = samples.manifest(titles=("Only",))
    m = m.__class__(**{**m.__dict__, "full": m.full.__class__("x.mp3", 1, duration, "")})
    item = tree(library(m)).find("channel/item")
    assert item.findtext("itunes:duration", namespaces=NS) == expected


def test_article_without_date_gets_a_fixed_date_not_now() -> None:
    m = samples.manifest(date=None)
    first = tree(library(m)).findtext("channel/item/pubDate")
    assert parsedate_to_datetime(first).date() == feed.FALLBACK_DATE
    assert tree(library(m)).findtext("channel/item/pubDate") == first


def test_article_without_whole_mp3_is_left_out_of_the_library_feed() -> None:
    xml = library(samples.manifest(full=False), samples.manifest("beta", "Beta"))
    assert [t.text for t in tree(xml).findall("channel/item/title")] == ["Beta"]


def test_article_cover_is_used_when_built() -> None:
    with_cover = samples.manifest(cover="alpha/cover-0123.png")
    item = tree(library(with_cover)).find("channel/item")
    assert item.find("itunes:image", NS).get("href") == BASE + "/articles/alpha/cover.png"
    channel = tree(serial(with_cover)).find("channel")
    assert channel.find("itunes:image", NS).get("href") == BASE + "/articles/alpha/cover.png"
    plain = tree(serial()).find("channel")
    assert plain.find("itunes:image", NS).get("href") == BASE + "/cover.png"


def test_description_lists_sections_with_timestamps() -> None:
    item = tree(library()).find("channel/item")
    text = item.findtext("description")
    assert "0:00 First Part\n1:01 Second Part\n2:02 Third Part" in text
    assert "synthetic" in text
    html = item.findtext("content:encoded", namespaces=NS)
    fragment = etree.fromstring(f"<div>{html}</div>")
    links = fragment.findall(".//a")
    assert [a.text for a in links] == ["0:00", "1:01", "2:02"]
    assert links[1].get("href") == BASE + "/articles/alpha/#part-2"


def test_section_description_lists_its_subheadings_with_times() -> None:
    item = tree(serial()).findall("channel/item")[1]
    text = item.findtext("description")
    assert "Part 2 of 3" in text
    assert "0:00 Second Part\n0:20 Details of Second Part" in text
    assert "Opening words of Second Part." in text


@pytest.mark.parametrize("builder", ["library", "serial"])
def test_xml_special_characters_round_trip(builder: str) -> None:
    m = samples.manifest(title=HOSTILE, titles=(HOSTILE, "Plain"), description=f"About {HOSTILE}")
    xml = library(m) if builder == "library" else serial(m)
    assert b"<script>" not in xml
    parsed = feedparser.parse(xml)
    assert parsed.bozo == 0
    titles = [e.title for e in parsed.entries]
    assert HOSTILE in titles or HOSTILE == parsed.feed.title
    pod = podcastparser.parse(BASE + "/feed.xml", io.BytesIO(xml))
    assert HOSTILE in [e["title"] for e in pod["episodes"]] + [pod["title"]]
    description = html.unescape(tree(xml).find("channel/item").findtext("description"))
    assert description.startswith(
        f"About {HOSTILE}" if builder == "library" else "Part 1 of 2 of “" + HOSTILE
    )


MARKUP = '<b onmouseover="alert(1)">bold</b> & more'


@pytest.mark.parametrize("builder", ["library", "serial"])
def test_plain_text_fields_reach_readers_as_text_not_markup(builder: str) -> None:
    """Issue 13, fix 7: description and itunes:summary are HTML to readers: escape the text."""
    m = samples.manifest(titles=(MARKUP, "Plain"), description=f"About {MARKUP}")
    xml = library(m) if builder == "library" else serial(m)
    root = tree(xml)
    fields = root.findall(".//description") + root.findall(".//itunes:summary", NS)
    assert len(fields) >= 3
    assert all("<b " not in field.text for field in fields)  # what readers get, unescaped
    assert any(MARKUP in html.unescape(f.text) for f in fields)
    parsed = feedparser.parse(xml)
    summaries = [parsed.feed.get("summary", "")] + [e.summary for e in parsed.entries]
    assert all("<b" not in s for s in summaries)
    assert any("&lt;b" in s for s in summaries)


def test_control_characters_are_dropped_not_fatal() -> None:
    m = samples.manifest(title="Bell\x07 and\x0b tab", titles=("Null\x00 part", "Fine"))
    for xml in (library(m), serial(m)):
        parsed = feedparser.parse(xml)
        assert parsed.bozo == 0
        assert {"Bell and tab", "Null part"} & {e.title for e in parsed.entries}


def test_base_url_trailing_slash_is_ignored() -> None:
    assert library(base=BASE + "/") == library(base=BASE)


def test_empty_library_is_a_valid_feed() -> None:
    xml = feed.library_feed([], BASE, UPDATED)
    parsed = feedparser.parse(xml)
    assert parsed.bozo == 0 and parsed.entries == []


def test_chapters_json_follows_json_chapters_1_2() -> None:
    m = samples.manifest()
    data = chapters_json(m, BASE + "/articles/alpha/")
    assert data["version"] == "1.2.0"
    starts = [c["startTime"] for c in data["chapters"]]
    assert starts == sorted(starts) and starts[0] == 0
    assert all(c["endTime"] <= m.full.duration + 1e-6 for c in data["chapters"])
    assert [c["title"] for c in data["chapters"]] == ["First Part", "Second Part", "Third Part"]
    assert data["chapters"][2]["url"] == BASE + "/articles/alpha/#part-3"

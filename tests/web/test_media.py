"""Section MP3s and captions: every HTTP rule podcast apps and iOS Safari rely on."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.http import http_date
from werkzeug.test import TestResponse

from baclovoice.models import Manifest, SectionEntry
from tests.web.builders import Spec, publish

MP3 = "/articles/baclofen-for-anxiety/sections/1.mp3"
YEAR = 365 * 24 * 3600


@contextmanager
def fetch(
    client: FlaskClient, url: str, method: str = "GET", **kwargs: Any
) -> Iterator[TestResponse]:
    """A response whose file handle is closed afterwards (pytest turns leaks into errors)."""
    with client.open(url, method=method, **kwargs) as response:
        assert isinstance(response, TestResponse)
        yield response


@pytest.fixture
def first(article: Manifest) -> SectionEntry:
    return article.sections[0]


def file_bytes(audio_dir: Path, section: SectionEntry) -> bytes:
    return (audio_dir / section.audio.file).read_bytes()


def test_full_file(client: FlaskClient, audio_dir: Path, first: SectionEntry) -> None:
    with fetch(client, MP3) as response:
        assert response.status_code == 200
        assert response.mimetype == "audio/mpeg"
        assert response.headers["Accept-Ranges"] == "bytes"
        assert response.headers["Content-Length"] == str(first.audio.bytes)
        assert response.get_data() == file_bytes(audio_dir, first)
        assert response.headers["ETag"] == f'"{first.audio.sha256}"'
        assert response.headers["Last-Modified"]
        assert response.headers["Content-Disposition"] == (
            "inline; filename=baclofen-for-anxiety-01-understanding-baclofen-and-its-uses.mp3"
        )


@pytest.mark.parametrize(
    ("header", "first_byte", "last_byte"),
    [
        ("bytes=0-1", 0, 1),
        ("bytes=-100", -100, -1),
        ("bytes=1000-", 1000, -1),
        ("bytes=10-10", 10, 10),
    ],
)
def test_ranges_answer_206_with_exact_bytes(
    client: FlaskClient,
    audio_dir: Path,
    first: SectionEntry,
    header: str,
    first_byte: int,
    last_byte: int,
) -> None:
    data = file_bytes(audio_dir, first)
    size = len(data)
    start, end = first_byte % size, last_byte % size
    with fetch(client, MP3, headers={"Range": header}) as response:
        assert response.status_code == 206
        assert response.headers["Content-Range"] == f"bytes {start}-{end}/{size}"
        assert response.headers["Content-Length"] == str(end - start + 1)
        assert response.get_data() == data[start : end + 1]
        assert response.headers["Accept-Ranges"] == "bytes"


@pytest.mark.parametrize("header", ["bytes=999999-", "bytes=999999-1000000"])
def test_range_past_the_end_is_416(client: FlaskClient, first: SectionEntry, header: str) -> None:
    with fetch(client, MP3, headers={"Range": header}) as response:
        assert response.status_code == 416
        assert response.headers["Content-Range"] == f"bytes */{first.audio.bytes}"


def test_head_has_headers_and_no_body(client: FlaskClient, first: SectionEntry) -> None:
    with fetch(client, MP3, method="HEAD") as response:
        assert response.status_code == 200
        assert response.headers["Content-Length"] == str(first.audio.bytes)
        assert response.headers["Accept-Ranges"] == "bytes"
        assert response.mimetype == "audio/mpeg"
        assert response.get_data() == b""


def test_if_none_match_gives_304(client: FlaskClient, first: SectionEntry) -> None:
    etag = f'"{first.audio.sha256}"'
    with fetch(client, MP3, headers={"If-None-Match": etag}) as response:
        assert response.status_code == 304
        assert response.get_data() == b""
        assert response.headers["ETag"] == etag
    with fetch(client, MP3, headers={"If-None-Match": '"something-else"'}) as response:
        assert response.status_code == 200


def test_if_modified_since_gives_304(
    client: FlaskClient, audio_dir: Path, first: SectionEntry
) -> None:
    mtime = (audio_dir / first.audio.file).stat().st_mtime
    with fetch(client, MP3, headers={"If-Modified-Since": http_date(mtime + 60)}) as response:
        assert response.status_code == 304


def test_if_range_with_a_stale_etag_sends_the_whole_file(
    client: FlaskClient, first: SectionEntry
) -> None:
    headers = {"Range": "bytes=0-1", "If-Range": '"old-version"'}
    with fetch(client, MP3, headers=headers) as response:
        assert response.status_code == 200
        assert response.headers["Content-Length"] == str(first.audio.bytes)
    headers["If-Range"] = f'"{first.audio.sha256}"'
    with fetch(client, MP3, headers=headers) as response:
        assert response.status_code == 206


def test_versioned_url_is_cached_forever(client: FlaskClient, first: SectionEntry) -> None:
    with fetch(client, f"{MP3}?v={first.audio.sha256[:16]}") as response:
        assert response.status_code == 200
        cache = response.cache_control
        assert cache.public and cache.immutable and cache.max_age == YEAR


@pytest.mark.parametrize("query", ["", "?v=0000000000000000"])
def test_unversioned_or_stale_url_is_revalidated(client: FlaskClient, query: str) -> None:
    with fetch(client, MP3 + query) as response:
        assert response.status_code == 200
        assert response.cache_control.no_cache
        assert not response.cache_control.immutable
        assert not response.cache_control.max_age


def test_download_is_an_attachment_with_a_readable_name(client: FlaskClient) -> None:
    with fetch(client, "/articles/baclofen-for-anxiety/sections/3.mp3?download=1") as response:
        assert response.status_code == 200
        assert response.headers["Content-Disposition"] == (
            "attachment; filename="
            "baclofen-for-anxiety-03-baclofens-potential-for-treating-anxiety.mp3"
        )


def test_rebuilt_audio_is_served_without_restart(
    client: FlaskClient, audio_dir: Path, first: SectionEntry
) -> None:
    rebuilt = publish(audio_dir, Spec(seconds=2.0))
    assert rebuilt.sections[0].audio.sha256 != first.audio.sha256
    with fetch(client, MP3) as response:
        assert response.headers["ETag"] == f'"{rebuilt.sections[0].audio.sha256}"'
        assert response.headers["Content-Length"] == str(rebuilt.sections[0].audio.bytes)


def test_missing_audio_file_is_404_not_500(
    client: FlaskClient, audio_dir: Path, first: SectionEntry
) -> None:
    (audio_dir / first.audio.file).unlink()
    with fetch(client, MP3) as response:
        assert response.status_code == 404
        assert "baclovoice build" in response.get_data(as_text=True)


# --- WebVTT ---------------------------------------------------------------------------

CUE = re.compile(r"^(bv-s\d+-\d+)\n(\d\d:\d\d:\d\d\.\d{3}) --> (\d\d:\d\d:\d\d\.\d{3})\n(.+)$")


def parse_vtt(text: str) -> list[tuple[str, str, str, str]]:
    header, *blocks = text.rstrip("\n").split("\n\n")
    assert header == "WEBVTT"
    cues = []
    for block in blocks:
        match = CUE.match(block)
        assert match, block
        cues.append((match[1], match[2], match[3], html.unescape(match[4])))
    return cues


def test_vtt_has_one_cue_per_sentence(client: FlaskClient, article: Manifest) -> None:
    for section in article.sections:
        response = client.get(f"/articles/baclofen-for-anxiety/sections/{section.number}.vtt")
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "text/vtt; charset=utf-8"
        cues = parse_vtt(response.get_data(as_text=True))
        assert [c[3] for c in cues] == [t.text for t in section.sentences]
        assert [c[0] for c in cues] == [
            f"bv-s{section.number}-{i}" for i in range(1, len(section.sentences) + 1)
        ]
        assert all(start <= end for _, start, end, _ in cues)
    first = parse_vtt(client.get("/articles/baclofen-for-anxiety/sections/1.vtt").get_data(True))
    assert first[0][1:] == ("00:00:00.000", "00:00:00.375", "Baclofen for Anxiety: Can It Help?")


def test_vtt_escapes_markup(client: FlaskClient, audio_dir: Path) -> None:
    sections = (("Tags <b>", (("paragraph", "A <i>x</i> & b --> c."),)),)
    publish(audio_dir, Spec(slug="marks", sections=sections))
    text = client.get("/articles/marks/sections/1.vtt").get_data(as_text=True)
    assert "A &lt;i&gt;x&lt;/i&gt; &amp; b --&gt; c." in text
    assert "<i>" not in text


def test_vtt_is_revalidated_with_an_etag(client: FlaskClient) -> None:
    url = "/articles/baclofen-for-anxiety/sections/2.vtt"
    response = client.get(url)
    etag = response.headers["ETag"]
    assert response.cache_control.no_cache
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304

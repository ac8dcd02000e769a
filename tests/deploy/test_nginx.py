"""The production deployment: Debian's nginx in front of the app, with the generated site.

The same HTTP checks run against the app alone (waitress) and through nginx
(``baclovoice deploy nginx``, X-Accel-Redirect on), so nginx changes nothing a
podcast app or a browser relies on: Range, HEAD, 304, download names, feeds,
covers and our own 404s. Ranges where RFC 9110 allows either answer accept both.
"""

from __future__ import annotations

import gzip
import http.client
import json
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import feedparser
import pytest
from flask import Flask

from baclovoice.cli import main
from baclovoice.deploy.nginx import Site, proxy_site
from baclovoice.models import Manifest
from baclovoice.settings import Settings
from baclovoice.web import create_app
from baclovoice.web.accel import ACCEL_PREFIX, ACCEL_WHOLE_PREFIX
from tests.conftest import serving
from tests.deploy.nginx_runner import free_port, running_nginx
from tests.feeds.conftest import publish_article
from tests.service.conftest import AUTH, MARKDOWN, TOKEN, app_with_memory_queue

BASE = "https://listen.example.org"
SLUG = "baclofen-for-anxiety"
MP3 = f"/articles/{SLUG}/sections/1.mp3"


def ask(
    base: str,
    path: str,
    headers: dict[str, str] | None = None,
    method: str = "GET",
    body: bytes | None = None,
) -> tuple[int, http.client.HTTPMessage, bytes]:
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, Manifest]:
    root = tmp_path_factory.mktemp("deploy")
    settings = Settings.load(
        environ={}, content_dir=root / "content", audio_dir=root / "audio", base_url=BASE
    )
    return settings, publish_article(settings.audio_dir)


@contextmanager
def behind_nginx(
    nginx: str, app: Flask, audio_dir: Path, folder: Path
) -> Iterator[tuple[str, str]]:
    """``app`` on waitress with nginx in front, configured by ``proxy_site``: the base
    URLs of nginx and of the app itself."""
    with serving(app) as behind:
        port = free_port()
        (folder / "cache").mkdir(parents=True)
        app_url = f"http://127.0.0.1:{behind.effective_port}"
        site = proxy_site(
            Site(BASE, f"127.0.0.1:{port}"),
            audio_dir,
            app_url.removeprefix("http://"),
            folder / "cache",
        )
        with running_nginx(nginx, folder, site, port) as url:
            yield url, app_url


@pytest.fixture(scope="module")
def fronts(
    library: tuple[Settings, Manifest], nginx: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, str]]:
    """Base URLs: "app" (waitress alone), "nginx" (nginx → waitress with X-Accel-Redirect)
    and "accel" (that waitress, asked directly)."""
    settings, _ = library
    accel = create_app(settings.replace(accel_redirect=True))
    with (
        serving(create_app(settings)) as alone,
        behind_nginx(nginx, accel, settings.audio_dir, tmp_path_factory.mktemp("nginx")) as (
            url,
            behind,
        ),
    ):
        yield {"app": f"http://127.0.0.1:{alone.effective_port}", "nginx": url, "accel": behind}


FRONTS = ["app", "nginx"]


@pytest.fixture(params=FRONTS)
def front(request: pytest.FixtureRequest, fronts: dict[str, str]) -> str:
    return fronts[request.param]


@pytest.fixture
def mp3(library: tuple[Settings, Manifest]) -> tuple[bytes, str]:
    settings, m = library
    audio = m.sections[0].audio
    return (settings.audio_dir / audio.file).read_bytes(), f'"{audio.sha256}"'


def test_full_file_with_our_etag_and_name(front: str, mp3: tuple[bytes, str]) -> None:
    data, etag = mp3
    status, headers, body = ask(front, MP3)
    assert status == 200 and body == data
    assert headers["Content-Type"] == "audio/mpeg" and headers["ETag"] == etag
    assert headers["Content-Length"] == str(len(data)) and headers["Last-Modified"]
    assert headers["Accept-Ranges"] == "bytes"
    assert headers["Content-Disposition"] == (
        f"inline; filename={SLUG}-01-understanding-baclofen-and-its-uses.mp3"
    )
    assert "X-Accel-Redirect" not in headers


def test_the_setting_makes_the_app_decide_and_nginx_send_the_bytes(
    fronts: dict[str, str], library: tuple[Settings, Manifest], mp3: tuple[bytes, str]
) -> None:
    """With BACLOVOICE_ACCEL_REDIRECT the app sends no audio or cover bytes, only its
    decision (file, ETag, download name); nginx sends the file; without it, the app does."""
    settings, m = library
    data, etag = mp3
    assert Settings.load(environ={"BACLOVOICE_ACCEL_REDIRECT": "true"}).accel_redirect
    assert not Settings.load(environ={}).accel_redirect
    behind = fronts["accel"]

    status, headers, body = ask(behind, MP3)
    assert status == 200 and body == b""
    assert headers["X-Accel-Redirect"] == ACCEL_PREFIX + quote(m.sections[0].audio.file)
    assert headers["ETag"] == etag and headers["Content-Type"] == "audio/mpeg"
    assert headers["Content-Disposition"] == (
        f"inline; filename={SLUG}-01-understanding-baclofen-and-its-uses.mp3"
    )
    status, headers, body = ask(behind, MP3, {"Range": "bytes=abc"})  # to be ignored
    assert status == 200 and body == b""
    assert headers["X-Accel-Redirect"] == ACCEL_WHOLE_PREFIX + quote(m.sections[0].audio.file)
    status, headers, body = ask(behind, "/cover.png")
    assert status == 200 and body == b""
    assert headers["X-Accel-Redirect"] == ACCEL_PREFIX + "cover.png"
    # 304 and 404 are the app's own answers, never handed to nginx.
    status, headers, _ = ask(behind, MP3, {"If-None-Match": etag})
    assert status == 304 and "X-Accel-Redirect" not in headers
    status, headers, _ = ask(behind, f"/articles/{SLUG}/sections/9.mp3")
    assert status == 404 and "X-Accel-Redirect" not in headers

    # Through nginx: the file's bytes, sent by nginx (the app behind it sent none).
    cover = (settings.audio_dir / "cover.png").read_bytes()
    for path, expected in ((MP3, data), ("/cover.png", cover)):
        status, headers, body = ask(fronts["nginx"], path)
        assert status == 200 and body == expected and "X-Accel-Redirect" not in headers, path
    # The setting off (the app alone): the app sends the bytes itself.
    status, headers, body = ask(fronts["app"], MP3)
    assert status == 200 and body == data and "X-Accel-Redirect" not in headers


RANGES = [
    # (Range, statuses allowed, first, last (-1 = end)); first = None: whole file or multipart
    ("bytes=0-9", {206}, 0, 9),
    ("bytes=-10", {206}, -10, -1),
    ("bytes=1000-", {206}, 1000, -1),
    ("bytes=-9999999", {206}, 0, -1),
    ("bytes=abc", {200}, 0, -1),
    ("items=0-10", {200}, 0, -1),
    ("bytes=9-3", {200}, 0, -1),
    ("bytes=0-1,5-6", {200, 206}, None, None),
]


@pytest.mark.parametrize(("header", "statuses", "first", "last"), RANGES)
def test_ranges(
    front: str,
    mp3: tuple[bytes, str],
    header: str,
    statuses: set[int],
    first: int | None,
    last: int | None,
) -> None:
    data, _ = mp3
    status, headers, body = ask(front, MP3, {"Range": header})
    assert status in statuses
    if first is None:  # several ranges: the whole file, or multipart/byteranges
        assert body == data or headers["Content-Type"].startswith("multipart/byteranges")
        return
    start, end = first % len(data), (last or 0) % len(data)
    assert body == data[start : end + 1]
    if status == 206:
        assert headers["Content-Range"] == f"bytes {start}-{end}/{len(data)}"


def test_range_past_the_end_is_416(front: str, mp3: tuple[bytes, str]) -> None:
    status, headers, _ = ask(front, MP3, {"Range": "bytes=9999999-"})
    assert status == 416 and headers["Content-Range"] == f"bytes */{len(mp3[0])}"


def test_head(front: str, mp3: tuple[bytes, str]) -> None:
    status, headers, body = ask(front, MP3, method="HEAD")
    assert status == 200 and body == b""
    assert headers["Content-Length"] == str(len(mp3[0])) and headers["ETag"] == mp3[1]


def test_conditional_requests(front: str, mp3: tuple[bytes, str]) -> None:
    data, etag = mp3
    assert ask(front, MP3, {"If-None-Match": etag})[0] == 304
    assert ask(front, MP3, {"If-None-Match": '"other"'})[0] == 200
    modified = ask(front, MP3)[1]["Last-Modified"]
    assert ask(front, MP3, {"If-Modified-Since": modified})[0] == 304
    fresh = ask(front, MP3, {"Range": "bytes=0-1", "If-Range": etag})
    assert fresh[0] == 206 and fresh[2] == data[:2]
    stale = ask(front, MP3, {"Range": "bytes=0-1", "If-Range": '"old"'})
    assert stale[0] == 200 and stale[2] == data


def test_download_names_and_cache_lifetimes(front: str, library: tuple[Settings, Manifest]) -> None:
    _, m = library
    version = m.sections[2].audio.sha256[:16]
    status, headers, _ = ask(front, f"/articles/{SLUG}/sections/3.mp3?v={version}&download=1")
    assert status == 200
    assert headers["Content-Disposition"] == (
        f"attachment; filename={SLUG}-03-baclofens-potential-for-treating-anxiety.mp3"
    )
    assert (
        "immutable" in headers["Cache-Control"] and "max-age=31536000" in headers["Cache-Control"]
    )
    assert headers.get_all("Cache-Control") == [headers["Cache-Control"]]  # one, not two
    status, headers, _ = ask(front, f"/articles/{SLUG}.mp3?download=1")
    assert status == 200 and headers["Content-Disposition"] == f"attachment; filename={SLUG}.mp3"
    assert headers["Access-Control-Allow-Origin"] == "*"


def test_our_404s_and_no_way_into_the_audio_folder(front: str) -> None:
    status, headers, body = ask(front, f"/articles/{SLUG}/sections/9.mp3")
    assert status == 404 and b"has no section 9" in body
    assert ask(front, "/articles/nope/")[0] == 404
    assert ask(front, "/_baclovoice/files/cover.png")[0] == 404
    assert ask(front, "/_baclovoice/whole/cover.png")[0] == 404


def test_feeds_and_covers(front: str, library: tuple[Settings, Manifest]) -> None:
    settings, _ = library
    status, headers, body = ask(front, "/feed.xml")
    assert status == 200 and headers["Content-Type"].startswith("application/rss+xml")
    parsed = feedparser.parse(body)
    assert parsed.bozo == 0 and parsed.entries
    assert parsed.entries[0].enclosures[0].href == f"{BASE}/articles/{SLUG}.mp3"
    assert ask(front, "/feed.xml", {"If-None-Match": headers["ETag"]})[0] == 304
    serial = feedparser.parse(ask(front, f"/articles/{SLUG}/feed.xml")[2])
    assert len(serial.entries) == 3
    status, headers, body = ask(front, "/cover.png")
    assert status == 200 and headers["Content-Type"] == "image/png"
    assert body == (settings.audio_dir / "cover.png").read_bytes()
    assert ask(front, "/cover.png", {"If-None-Match": headers["ETag"]})[0] == 304


def test_nginx_compresses_text_and_not_audio(fronts: dict[str, str]) -> None:
    url = fronts["nginx"]
    for path in (
        "/feed.xml",
        f"/articles/{SLUG}/",
        "/api/articles",
        f"/articles/{SLUG}/chapters.json",
    ):
        status, headers, body = ask(url, path, {"Accept-Encoding": "gzip"})
        assert status == 200 and headers["Content-Encoding"] == "gzip", path
        assert gzip.decompress(body)
    _, headers, _ = ask(url, MP3, {"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in headers


def test_deploy_nginx_writes_the_site_it_prints(
    library: tuple[Settings, Manifest], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings, _ = library
    out = tmp_path / "baclovoice.conf"
    args = ["deploy", "nginx", "--base-url", BASE, "--audio-dir", str(settings.audio_dir)]
    previous = signal.getsignal(signal.SIGTERM)
    try:
        for extra in ([], ["-o", str(out)]):
            main([*args, *extra])  # returns normally on success
    finally:
        signal.signal(signal.SIGTERM, previous)
    printed = capsys.readouterr().out
    assert printed == out.read_text(encoding="utf-8") == proxy_site(Site(BASE), settings.audio_dir)
    assert "server_name listen.example.org;" in printed and "internal;" in printed


def test_answers_to_signed_in_clients_never_reach_other_clients(nginx: str, tmp_path: Path) -> None:
    """The one-second cache keys on the URL, not on who asks: a request with a token or a
    session cookie is never answered from it nor stored in it. Otherwise a job's status
    fetched with the API token would reach anyone asking for it within the second."""
    (tmp_path / "content").mkdir()
    settings = Settings.load(
        environ={},
        content_dir=tmp_path / "content",
        audio_dir=tmp_path / "audio",
        base_url=BASE,
        engine="fake",
        api_token=TOKEN,
        accel_redirect=True,
    )
    app = app_with_memory_queue(settings)
    with behind_nginx(nginx, app, settings.audio_dir, tmp_path / "nginx") as (url, _):
        body = json.dumps({"markdown": MARKDOWN, "slug": "tea"}).encode()
        json_auth = {**AUTH, "Content-Type": "application/json"}
        status, _, added = ask(url, "/api/articles", json_auth, "POST", body)
        assert status == 202, added
        job = json.loads(added)["job"]
        for _ in range(3):  # signed in, then anonymous, within the cache's second
            status, _, answer = ask(url, job, AUTH)
            assert status == 200 and json.loads(answer)["slug"] == "tea"
            status, _, answer = ask(url, job)
            assert status == 401, answer
            status, _, answer = ask(url, job, {"Cookie": "session=forged"})
            assert status == 401, answer


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        (MP3, {}),
        (MP3, {"Range": "bytes=10-19"}),
        (MP3, {"Range": "bytes=9-3"}),  # a Range the app says to ignore: the whole file
        (MP3 + "?download=1", {}),
        ("/feed.xml", {}),
        (f"/articles/{SLUG}/", {}),
        ("/articles/no-such-article/", {}),
    ],
)
def test_an_answer_from_the_cache_is_the_apps_answer(
    fronts: dict[str, str], path: str, headers: dict[str, str]
) -> None:
    """nginx keeps each answer for a second: the second of two quick requests comes from
    its cache and must be the app's answer again, to the byte and the header."""
    first, again = (ask(fronts["nginx"], path, headers) for _ in range(2))
    alone = ask(fronts["app"], path, headers)
    assert first[0] == again[0] == alone[0] and first[2] == again[2] == alone[2]
    for name in (
        "Content-Type",
        "Content-Length",
        "Content-Range",
        "Accept-Ranges",
        "ETag",
        "Last-Modified",
        "Content-Disposition",
        "Cache-Control",
    ):
        if name == "Accept-Ranges" and first[0] == 206:
            continue  # nginx drops it from partial answers; RFC 9110 makes it optional
        values = [answer[1].get_all(name) for answer in (first, again, alone)]
        assert values[0] == values[1] == values[2], (name, values)

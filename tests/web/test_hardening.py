"""Hostile-but-fair clients against the real server (issue 13, fixes 1, 4, 6, 7 and 8).

Each HTTP behaviour is checked on waitress over a socket on 127.0.0.1; pure
parts (the Range rules) are checked table-driven without a server.
"""

from __future__ import annotations

import contextlib
import dataclasses
import html
import http.client
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

import pytest
from flask import Flask

from baclovoice.models import Manifest
from baclovoice.settings import Settings
from baclovoice.web import create_app
from baclovoice.web.hosts import trust_bind_address
from baclovoice.web.ranges import normalize
from baclovoice.web.server import Limits
from tests.conftest import serving
from tests.feeds.conftest import publish_article
from tests.web.builders import Spec

MP3 = "/articles/baclofen-for-anxiety/sections/1.mp3"
Answer = tuple[int, http.client.HTTPMessage, bytes]


def ask(port: int, path: str, headers: dict[str, str] | None = None, method: str = "GET") -> Answer:
    """One request with exactly these headers (Host included, if given)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.putrequest(method, path, skip_host="Host" in (headers or {}))
        for name, value in (headers or {}).items():
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


@contextlib.contextmanager
def serving_port(app: Flask, limits: Limits | None = None) -> Iterator[int]:
    with serving(app, limits) as server:
        yield int(server.effective_port)


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, Manifest]:
    root = tmp_path_factory.mktemp("hardening")
    settings = Settings.load(environ={}, content_dir=root / "content", audio_dir=root / "audio")
    return settings, publish_article(settings.audio_dir)


# --- 1: the library cover with a relative audio folder -------------------------------


def test_library_cover_is_served_with_a_relative_audio_folder(
    library: tuple[Settings, Manifest], monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, _ = library
    monkeypatch.chdir(settings.audio_dir.parent)
    relative = settings.replace(audio_dir=Path("audio"))  # the default setup: `audio`
    with serving_port(create_app(relative)) as port:
        status, headers, body = ask(port, "/cover.png")
        feed = ask(port, "/feed.xml")[2].decode()
    assert status == 200 and headers["Content-Type"] == "image/png"
    assert body == (settings.audio_dir / "cover.png").read_bytes()
    assert "/cover.png" in feed  # the URL the feed advertises as the podcast's artwork


# --- 4: slow clients never lock everyone else out --------------------------------------


def test_slow_clients_are_cut_off_and_others_are_answered(
    library: tuple[Settings, Manifest],
) -> None:
    """120 sockets trickling a header byte every 0.2 s: more than waitress's default limit."""
    settings, _ = library
    stop = threading.Event()
    with serving_port(create_app(settings), Limits(read_timeout=1.5, idle_timeout=30)) as port:
        slow = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(120)]

        def trickle() -> None:
            request = b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Slow: " + b"a" * 100
            for byte in request:
                for sock in slow:
                    with contextlib.suppress(OSError):
                        sock.send(bytes([byte]))
                if stop.wait(0.2):
                    return

        threading.Thread(target=trickle, daemon=True).start()
        try:
            time.sleep(0.5)
            started = time.monotonic()
            status, _, body = ask(port, "/healthz")
            assert status == 200 and b'"ok"' in body
            assert time.monotonic() - started < 2
            time.sleep(2.5)  # past read_timeout + the 1 s maintenance tick
            closed = 0
            for sock in slow:
                sock.settimeout(0.5)
                with contextlib.suppress(OSError):
                    closed += sock.recv(1) == b""
            assert closed == len(slow)  # every trickler was disconnected
        finally:
            stop.set()
            for sock in slow:
                sock.close()


def test_a_request_sent_at_a_fair_pace_is_served(library: tuple[Settings, Manifest]) -> None:
    settings, _ = library
    with serving_port(create_app(settings), Limits(read_timeout=2)) as port:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            for part in (b"GET /healthz HTTP/1.1\r\n", b"Host: localhost\r\n", b"\r\n"):
                sock.sendall(part)
                time.sleep(0.3)
            assert sock.recv(100).startswith(b"HTTP/1.1 200")


# --- 6: the Host header ------------------------------------------------------------


HOSTS = [
    # (base URL, trusted hosts, Host header, status, URL prefix expected in the feed)
    ("", "", "localhost:8000", 200, "http://localhost:8000/"),
    ("", "", "127.0.0.1", 200, "http://127.0.0.1/"),
    ("", "", "evil.example", 400, ""),
    ("", "", "", 400, ""),
    ("", "", "bad host!", 400, ""),
    ("", "radio.test,.example.org", "radio.test", 200, "http://radio.test/"),
    ("", "radio.test,.example.org", "cdn.example.org", 200, "http://cdn.example.org/"),
    ("", "radio.test,.example.org", "localhost", 400, ""),
    ("https://listen.example.org", "", "evil.example", 200, "https://listen.example.org/"),
]


@pytest.mark.parametrize(("base", "trusted", "host", "status", "prefix"), HOSTS)
def test_only_trusted_hosts_reach_feeds_and_pages(
    library: tuple[Settings, Manifest],
    base: str,
    trusted: str,
    host: str,
    status: int,
    prefix: str,
) -> None:
    settings, _ = library
    app = create_app(settings.replace(base_url=base, trusted_hosts=trusted))
    with serving_port(app) as port:
        answers = {p: ask(port, p, {"Host": host}) for p in ("/feed.xml", "/api/articles", "/")}
    for path, (code, headers, body) in answers.items():
        assert code == status, path
        text = body.decode()
        if status == 400:
            assert "BACLOVOICE_BASE_URL" in text and "evil" not in text
            continue
        if path != "/":
            assert prefix in text and "http:///" not in text
        assert ("Host" in headers.get("Vary", "")) == (not base)
    if status == 200 and not base:
        assert answers["/feed.xml"][2].decode().count(prefix) > 5


def test_the_bind_address_is_trusted_by_default(library: tuple[Settings, Manifest]) -> None:
    settings, _ = library
    app = create_app(settings)
    trust_bind_address(app, "192.0.2.7")
    with serving_port(app) as port:
        assert ask(port, "/feed.xml", {"Host": "192.0.2.7:8000"})[0] == 200
        assert ask(port, "/feed.xml", {"Host": "192.0.2.8:8000"})[0] == 400


# --- 7: feed fields that readers render as HTML carry the text escaped -------------------

MARKUP = '<b onmouseover="alert(1)">bold</b> & more'
ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"


def test_served_feeds_carry_article_markup_as_text(tmp_path: Path) -> None:
    settings = Settings.load(
        environ={}, content_dir=tmp_path / "content", audio_dir=tmp_path / "audio"
    )
    sections = ((f"Part {MARKUP}", (("paragraph", "One."),)), ("Plain", (("paragraph", "Two."),)))
    spec = dataclasses.replace(Spec(), slug="markup", title=f"Title {MARKUP}", sections=sections)
    publish_article(settings.audio_dir, spec)
    with serving_port(create_app(settings)) as port:
        for path in ("/feed.xml", "/articles/markup/feed.xml"):
            status, _, body = ask(port, path, {"Host": "localhost"})
            assert status == 200, path
            root = ElementTree.fromstring(body)
            fields = root.findall(".//description") + root.findall(f".//{ITUNES}summary")
            texts = [field.text or "" for field in fields]  # what a reader gets, unescaped
            assert len(texts) >= 2 and all("<b" not in text for text in texts), path
            assert any(MARKUP in html.unescape(text) for text in texts), path


# --- 8: Range as RFC 9110 says ----------------------------------------------------


@pytest.mark.parametrize(
    ("header", "size", "expected"),
    [
        (None, 100, None),
        ("bytes=0-9", 100, "bytes=0-9"),
        ("bytes=90-", 100, "bytes=90-"),
        ("bytes=-10", 100, "bytes=-10"),
        ("bytes=-400", 100, "bytes=0-"),  # longer suffix: the whole file, 206
        ("bytes=-100", 100, "bytes=0-"),
        ("bytes=-0", 100, "bytes=100-"),  # unsatisfiable: 416
        ("bytes=200-", 100, "bytes=200-"),  # past the end: 416
        ("Bytes = 0-9", 100, "bytes=0-9"),
        ("bytes=0-9,", 100, "bytes=0-9"),  # empty list elements are allowed
        ("bytes=abc", 100, None),
        ("bytes=", 100, None),
        ("bytes=-", 100, None),
        ("bytes=5-2", 100, None),
        ("bytes=0-1,5-6", 100, None),  # several ranges: the whole file
        ("items=0-10", 100, None),
        ("0-10", 100, None),
    ],
)
def test_range_header_rules(header: str | None, size: int, expected: str | None) -> None:
    assert normalize(header, size) == expected


RANGES = [
    # (Range header, status, first byte, last byte (-1 = end))
    ("bytes=-99999", 206, 0, -1),
    ("bytes=abc", 200, 0, -1),
    ("items=0-10", 200, 0, -1),
    ("bytes=0-1,5-6", 200, 0, -1),
    ("bytes=9-3", 200, 0, -1),
    ("bytes=10-19", 206, 10, 19),
    ("bytes=999999-", 416, 0, 0),
]


@pytest.mark.parametrize(("header", "status", "first", "last"), RANGES)
def test_ranges_on_the_real_server(
    library: tuple[Settings, Manifest], header: str, status: int, first: int, last: int
) -> None:
    settings, m = library
    data = (settings.audio_dir / m.sections[0].audio.file).read_bytes()
    with serving_port(create_app(settings)) as port:
        code, headers, body = ask(port, MP3, {"Host": "localhost", "Range": header})
    assert code == status
    if status == 416:
        assert headers["Content-Range"] == f"bytes */{len(data)}"
        return
    assert body == data[first : (last % len(data)) + 1]
    if status == 206:
        assert headers["Content-Range"] == f"bytes {first}-{last % len(data)}/{len(data)}"

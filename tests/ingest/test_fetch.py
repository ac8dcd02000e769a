"""import URL: a real HTTP server on 127.0.0.1 serves pages, redirects, slow and odd answers."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from baclovoice.errors import InputError
from baclovoice.ingest import fetch
from baclovoice.ingest.fetch import FetchPolicy, check_url, detect_encoding, fetch_page
from baclovoice.ingest.store import import_url, load_article
from tests.conftest import ROOT

ARTICLE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Night Trains Return | The Rail Gazette</title>
<link rel="canonical" href="https://rail.example/night-trains">
<meta property="og:site_name" content="The Rail Gazette">
<meta name="author" content="Ada Lovelace">
<meta property="article:published_time" content="2024-02-03T10:00:00Z">
</head><body><nav><a href="/">Home</a> <a href="/news">News</a></nav>
<div class="share">Share on Facebook. Chat with us in Facebook Messenger.</div>
<article><h1>Night Trains Return</h1>
<p>Night trains are coming back across Europe, with new routes every season and more
sleeping cars on order than at any time in the last thirty years.</p>
<h2>Why now</h2>
<p>Travellers want to avoid short flights, and operators have found that a well-run
sleeper can fill its berths night after night on the right routes.</p>
</article><footer>Copyright The Rail Gazette. All rights reserved.</footer></body></html>
"""
LATIN1 = ARTICLE.replace('<meta charset="utf-8">', "").replace("Travellers", "Voyageurs café")


class Handler(BaseHTTPRequestHandler):
    """Routes: /article, /latin1 (no charset anywhere), /redirect/N, /to?url=, /pdf, /big, ..."""

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
        path, _, query = self.path.partition("?")
        if path == "/article":
            self.reply(200, "text/html; charset=utf-8", ARTICLE.encode())
        elif path == "/latin1":
            self.reply(200, "text/html", LATIN1.encode("cp1252"))
        elif path == "/meta-charset":
            body = LATIN1.replace("<head>", '<head><meta charset="windows-1252">')
            self.reply(200, "text/html", body.encode("cp1252"))
        elif path.startswith("/redirect/"):
            left = int(path.rsplit("/", 1)[1])
            self.redirect(f"/redirect/{left - 1}" if left > 1 else "/article")
        elif path == "/to":
            self.redirect(query.removeprefix("url="))
        elif path == "/pdf":
            self.reply(200, "application/pdf", b"%PDF-1.4")
        elif path == "/big":
            self.reply(200, "text/html", b"<p>" + b"x" * 3_000_000)
        elif path == "/big-chunked":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            for _ in range(30):
                self.wfile.write(b"<p>" + b"x" * 100_000)
        elif path == "/slow":
            time.sleep(3)
            self.reply(200, "text/html", ARTICLE.encode())
        elif path == "/missing":
            self.reply(404, "text/html", b"not here")
        else:
            self.reply(500, "text/plain", b"?")

    def reply(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """The fetcher hangs up on oversized pages on purpose: that is no error here."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


ALLOW = FetchPolicy(timeout=10, max_bytes=2_000_000, allow_private=True)


def test_a_url_imports_the_article_alone_and_keeps_its_source(server: str, tmp_path: Path) -> None:
    path = import_url(f"{server}/article", tmp_path, policy=ALLOW)
    assert path.name == "night-trains-return.html"
    article = load_article(tmp_path, path.stem)
    assert article.title == "Night Trains Return"
    assert article.source_url == "https://rail.example/night-trains"
    assert article.site_name == "The Rail Gazette"
    assert article.author == "Ada Lovelace"
    assert str(article.date) == "2024-02-03"
    assert [s.title for s in article.sections] == ["Introduction", "Why now"]
    stored = path.read_text("utf-8")
    for junk in ("Messenger", "Copyright", "Home"):
        assert junk not in stored


def test_without_a_canonical_link_the_fetched_address_is_the_source(
    server: str, tmp_path: Path
) -> None:
    page = fetch_page(f"{server}/redirect/2", ALLOW)
    assert page.url == f"{server}/article"


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/redirect/5", None),
        ("/redirect/6", "redirects more than 5 times"),
        ("/pdf", r"is not a web page \(its content type is application/pdf\)"),
        ("/big", r"is over 2 MB \(3\.0 MB read\)"),
        ("/big-chunked", r"is over 2 MB"),
        ("/missing", "the server answered 404"),
    ],
)
def test_fetch_limits(server: str, path: str, message: str | None) -> None:
    if message is None:
        assert "Night Trains" in fetch_page(server + path, ALLOW).html
        return
    with pytest.raises(InputError, match=message):
        fetch_page(server + path, ALLOW)


def test_a_slow_server_times_out_with_a_message(server: str) -> None:
    started = time.monotonic()
    with pytest.raises(InputError, match="took too long") as err:
        fetch_page(f"{server}/slow", FetchPolicy(timeout=1, allow_private=True))
    assert time.monotonic() - started < 2.5
    assert "--fetch-timeout" in err.value.hint


@pytest.mark.parametrize("path", ["/latin1", "/meta-charset"])
def test_the_charset_is_detected(server: str, path: str) -> None:
    assert "Voyageurs café" in fetch_page(server + path, ALLOW).html


def test_detect_encoding_prefers_the_header_then_meta() -> None:
    data = '<meta charset="iso-8859-1">é'.encode("latin-1")
    assert detect_encoding(data, "utf-8") == "utf-8"
    assert detect_encoding(data, "") == "iso-8859-1"
    assert detect_encoding("é".encode()) == "utf-8"


# --- private addresses ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "allowed"),
    [
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.9", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),  # cloud metadata
        ("100.64.0.1", False),  # carrier-grade NAT
        ("0.0.0.0", False),
        ("224.0.0.1", False),
        ("::1", False),
        ("fe80::1%eth0", False),
        ("fd00::1", False),
        ("::ffff:127.0.0.1", False),
        ("93.184.216.34", True),
        ("2606:2800:220:1:248:1893:25c8:1946", True),
    ],
)
def test_non_public_addresses_are_refused(address: str, allowed: bool) -> None:
    def resolve(host: str, port: int) -> list[str]:
        return ["93.184.216.34", address]

    if allowed:
        check_url("https://news.example/a", False, resolve)
    else:
        with pytest.raises(InputError, match="non-public address") as err:
            check_url("https://news.example/a", False, resolve)
        assert "--allow-private-network" in err.value.hint
        check_url("https://news.example/a", True, resolve)


@pytest.mark.parametrize("url", ["ftp://x.example/a", "file:///etc/passwd", "http:///path"])
def test_other_schemes_are_refused(url: str) -> None:
    with pytest.raises(InputError):
        check_url(url, True, lambda host, port: ["93.184.216.34"])


def test_loopback_is_refused_by_default(server: str, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="non-public address"):
        import_url(f"{server}/article", tmp_path, policy=FetchPolicy())
    assert not list(tmp_path.iterdir())


def test_every_redirect_is_checked(server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The test server's 127.0.0.1 counts as public here; its redirect to localhost (said to
    be 127.0.0.2) is still refused."""
    port = server.rsplit(":", 1)[1]
    monkeypatch.setattr(fetch, "is_public", lambda address: address == "127.0.0.1")

    def resolve(host: str, port: int) -> list[str]:
        return ["127.0.0.1"] if host == "127.0.0.1" else ["127.0.0.2"]

    policy = FetchPolicy(timeout=10)
    assert "Night Trains" in fetch_page(f"{server}/article", policy, resolve=resolve).html
    with pytest.raises(InputError, match="localhost is a non-public address"):
        fetch_page(f"{server}/to?url=http://localhost:{port}/article", policy, resolve=resolve)


class Listener:
    """A TCP port on 127.0.0.1 that accepts one connection and keeps what it is sent."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self._data = bytearray()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        connection, _ = self.sock.accept()
        with connection, contextlib.suppress(TimeoutError):  # a client waiting for an answer
            connection.settimeout(2)
            while data := connection.recv(65536):
                self._data += data

    def received(self) -> bytes:
        """Everything the client sent, once it has hung up."""
        self._thread.join(timeout=5)
        assert not self._thread.is_alive(), "the client never hung up"
        return bytes(self._data)


@pytest.fixture
def listener() -> Iterator[Listener]:
    listening = Listener()
    yield listening
    listening.sock.close()


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_a_connection_that_reaches_a_private_address_sends_nothing(
    scheme: str, listener: Listener
) -> None:
    """DNS rebinding: the name resolves to a public address for the check, and the connection
    then reaches 127.0.0.1. That address is checked before a request (or a TLS hello) is sent."""

    def resolve(host: str, port: int) -> list[str]:
        return ["93.184.216.34"]  # what the check is told

    with pytest.raises(InputError, match="reached the non-public address 127.0.0.1") as err:
        url = f"{scheme}://127.0.0.1:{listener.port}/article"
        fetch_page(url, FetchPolicy(timeout=10), resolve=resolve)
    assert "--allow-private-network" in err.value.hint
    assert listener.received() == b""


# --- the command line -----------------------------------------------------------------


def cli(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("BACLOVOICE_")}
    environ["PYTHONPATH"] = str(ROOT / "src")
    return subprocess.run(
        [sys.executable, "-m", "baclovoice", *args],
        cwd=cwd,
        env=environ | (env or {}),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_cli_import_url(server: str, tmp_path: Path) -> None:
    refused = cli("import", f"{server}/article", cwd=tmp_path)
    assert refused.returncode == 2
    assert "non-public address" in refused.stderr and "Traceback" not in refused.stderr
    flag = cli("import", f"{server}/article", "--allow-private-network", cwd=tmp_path)
    assert flag.returncode == 0, flag.stderr
    assert (tmp_path / "content" / "night-trains-return.html").is_file()
    env = {"BACLOVOICE_ALLOW_PRIVATE_URLS": "1"}
    by_env = cli("import", f"{server}/article", "--slug", "trains", cwd=tmp_path, env=env)
    assert by_env.returncode == 0, by_env.stderr
    assert (tmp_path / "content" / "trains.html").is_file()
    not_html = cli("import", f"{server}/pdf", "--allow-private-network", cwd=tmp_path)
    assert not_html.returncode == 2 and "not a web page" in not_html.stderr

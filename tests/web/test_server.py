"""The app on the real WSGI server (waitress), spoken to over a socket."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from baclovoice.errors import InputError
from baclovoice.models import Manifest
from baclovoice.web.server import create_server, server_url
from tests.conftest import serving


@pytest.fixture
def live(app: Flask) -> Iterator[tuple[str, Any]]:
    with serving(app) as server:
        yield server_url(server), server


def test_waitress_serves_ranges_and_pages(live: tuple[str, Any], article: Manifest) -> None:
    url, _ = live
    assert url.startswith("http://127.0.0.1:") and not url.endswith(":0/")
    request = urllib.request.Request(
        url + "articles/baclofen-for-anxiety/sections/2.mp3", headers={"Range": "bytes=-10"}
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.status == 206
        size = article.sections[1].audio.bytes
        assert response.headers["Content-Range"] == f"bytes {size - 10}-{size - 1}/{size}"
        assert len(response.read()) == 10
        assert response.headers["Server"] == "baclovoice"
    with urllib.request.urlopen(url + "articles/baclofen-for-anxiety/", timeout=5) as response:
        assert b"Baclofen for Anxiety" in response.read()
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(url + "articles/nope/", timeout=5)
    assert missing.value.code == 404
    missing.value.close()


def test_a_taken_port_is_a_clear_error(live: tuple[str, Any], app: Flask) -> None:
    _, server = live
    with pytest.raises(InputError, match="another program uses that port") as error:
        create_server(app, "127.0.0.1", int(server.effective_port))
    assert "--port" in error.value.hint

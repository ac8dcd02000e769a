"""The legible font is shipped with its licence and served from this site only."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from baclovoice.web import STATIC_DIR
from tests.web.test_media import fetch


def test_every_font_in_the_css_is_shipped_and_served(client: FlaskClient) -> None:
    css = (STATIC_DIR / "baclovoice.css").read_text()
    urls = re.findall(r"url\(([^)]+)\)", css)
    assert urls == ["fonts/atkinson-400.woff2", "fonts/atkinson-700.woff2"]  # nothing remote
    assert re.findall(r'font-family: ?"([^"]+)"', css)[:2] == ["Atkinson Hyperlegible"] * 2
    for url in urls:
        path = STATIC_DIR / url
        assert path.read_bytes()[:4] == b"wOF2"
        with fetch(client, f"/static/{url}") as response:
            assert response.status_code == 200
            assert response.mimetype == "font/woff2"
            assert response.get_data() == path.read_bytes()
        with fetch(client, f"/static/{url}", headers={"Accept-Encoding": "br, gzip"}) as asked:
            assert "Content-Encoding" not in asked.headers  # WOFF2 is compressed already


def test_the_font_licence_is_shipped(client: FlaskClient) -> None:
    licence = (STATIC_DIR / "fonts" / "OFL.txt").read_text()
    assert "Copyright 2020 Braille Institute of America" in licence
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence
    with fetch(client, "/static/fonts/OFL.txt") as response:
        assert response.status_code == 200

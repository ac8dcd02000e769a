"""Shared fixtures: small articles in a temp content folder, settings pointing at temp dirs."""

from __future__ import annotations

from pathlib import Path

import pytest

from baclovoice.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SEED_TEXT = ROOT.parent / "shared" / "seed" / "000_571d21444bbda412.txt"
SEED_HTML = ROOT / "content" / "baclofen-for-anxiety.html"

SMALL_ARTICLE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Tiny Test | Example</title>
<meta name="author" content="Ada Tester"></head>
<body><article>
<h1>A Tiny Test</h1>
<p><time datetime="2024-03-05">March 5, 2024</time></p>
<h2>First Part</h2>
<p>Dr. Smith tested it. It worked well.</p>
<h2>Second Part</h2>
<p>The dose was 5 mg.</p>
<ul><li>Rest often.</li><li>Drink water.</li></ul>
</article></body></html>
"""


@pytest.fixture
def small_article_html() -> str:
    return SMALL_ARTICLE


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings on empty temp folders, independent of the caller's environment."""
    content = tmp_path / "content"
    content.mkdir()
    return Settings.load(environ={}, content_dir=content, audio_dir=tmp_path / "audio", jobs=2)


@pytest.fixture
def small_settings(settings: Settings) -> Settings:
    (settings.content_dir / "tiny.html").write_text(SMALL_ARTICLE, encoding="utf-8")
    return settings

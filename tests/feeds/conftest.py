"""Articles to put in feeds: tone MP3s published in a flash, and one real pipeline build.

The fast fixture publishes tone sections with ``tests.web.builders`` (real MP3s from
ffmpeg), then the whole-article MP3 and the covers with the build's own publish stage.
The other runs the real build (with the fake engine) on a tiny article.
"""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from baclovoice import manifest
from baclovoice.build import publish
from baclovoice.build.store import AudioStore
from baclovoice.models import Article, Manifest
from baclovoice.settings import Settings
from baclovoice.web import create_app
from baclovoice.web.server import server_url
from tests.conftest import serving
from tests.web.builders import Spec
from tests.web.builders import publish as publish_tones

HOSTILE_TITLE = "Fish & Chips <script>alert(\"x\")</script> ]]> — “quoted” 'tick'"


def make_app(settings: Settings) -> Flask:
    return create_app(settings, {"TESTING": True})


def _article(m: Manifest) -> Article:
    """The Article a manifest was published from, as far as publishing reads it."""
    return Article(slug=m.slug, title=m.title, sections=(), date=m.date, author=m.author)


def add_covers(audio_dir: Path, m: Manifest) -> Manifest:
    """The library cover and the article's cover, published as the build publishes them."""
    store = AudioStore(audio_dir)
    publish.publish_library_cover(store)
    if m.cover:
        return m
    m = dataclasses.replace(m, cover=publish.publish_cover(store, _article(m))[0])
    manifest.save(audio_dir, m)
    return m


def add_full(audio_dir: Path, m: Manifest) -> Manifest:
    """The whole-article MP3 with one ID3 chapter per section, joined by the publish stage."""
    store = AudioStore(audio_dir)
    _, cover_png = publish.publish_cover(store, _article(m))
    publisher = publish.Publisher(store, engine=m.engine, voice=m.voice)
    full, sections = publish.publish_full(publisher, _article(m), m.sections, cover_png)
    m = dataclasses.replace(m, sections=tuple(sections), full=full)
    manifest.save(audio_dir, m)
    return m


def publish_article(audio_dir: Path, spec: Spec | None = None) -> Manifest:
    return add_covers(audio_dir, add_full(audio_dir, publish_tones(audio_dir, spec or Spec())))


@pytest.fixture
def article(settings: Settings) -> Manifest:
    """The 3-section 'baclofen-for-anxiety' article of tone MP3s, with full MP3 and covers."""
    return publish_article(settings.audio_dir)


@pytest.fixture
def app(settings: Settings, article: Manifest) -> Flask:
    return make_app(settings)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


# --- the real pipeline (slow) -----------------------------------------------------------


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The conftest's tiny two-section article built once by the real pipeline (fake voice:
    feeds, podcast clients and downloads do not depend on what the voice says)."""
    from baclovoice.build.builder import build
    from tests.conftest import SMALL_ARTICLE

    root = tmp_path_factory.mktemp("feeds-built")
    (root / "content").mkdir()
    (root / "content" / "tiny.html").write_text(SMALL_ARTICLE, encoding="utf-8")
    settings = Settings.load(
        environ={}, content_dir=root / "content", audio_dir=root / "audio", jobs=2, engine="fake"
    )
    build(settings)
    add_covers(settings.audio_dir, manifest.load(settings.audio_dir, "tiny"))
    return settings


def copy_of(settings: Settings, tmp_path: Path) -> Settings:
    """A private copy of a build, for tests that rebuild it."""
    shutil.copytree(settings.content_dir, tmp_path / "content")
    shutil.copytree(settings.audio_dir, tmp_path / "audio")
    return settings.replace(content_dir=tmp_path / "content", audio_dir=tmp_path / "audio")


@pytest.fixture
def live_built(built: Settings) -> Iterator[str]:
    """The built library on the real WSGI server (waitress) on a free port of 127.0.0.1."""
    with serving(make_app(built)) as server:
        yield server_url(server).rstrip("/")

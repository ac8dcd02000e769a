"""Articles to put in feeds: tone MP3s published in a flash, and one real pipeline build.

The fast fixture publishes with ``tests.web.builders`` (real MP3s from ffmpeg) and joins
the sections into a whole-article MP3 with ID3 chapters through ``audio.concat_mp3``, as
the build does. The slow one runs the real pipeline with the Piper voice on a tiny article.
Cover art is stored as the build stores it, unless the build already did.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from baclovoice import audio, manifest
from baclovoice.artwork import render_cover
from baclovoice.fsutil import atomic_write_bytes
from baclovoice.models import AudioFile, Manifest
from baclovoice.settings import Settings
from baclovoice.web import create_app, feeds
from baclovoice.web.server import create_server, server_url, shutdown
from tests.web.builders import Spec, publish

HOSTILE_TITLE = "Fish & Chips <script>alert(\"x\")</script> ]]> — “quoted” 'tick'"


def make_app(settings: Settings) -> Flask:
    app = create_app(settings, {"TESTING": True})
    if "feeds" not in app.blueprints:  # until create_app lists the feeds blueprint itself
        app.register_blueprint(feeds.bp)
    return app


@functools.cache
def cover_png(title: str, subtitle: str) -> bytes:
    """Rendering takes a tenth of a second; the tests need few distinct covers."""
    return render_cover(title, subtitle)


def add_covers(audio_dir: Path, m: Manifest) -> Manifest:
    """The library cover and a content-addressed article cover, named in the manifest."""
    library = audio_dir / feeds.LIBRARY_COVER
    if not library.exists():
        atomic_write_bytes(library, cover_png("baclovoice", "Articles read aloud"))
    if m.cover:
        return m
    png = cover_png(m.title, m.author)
    relative = f"{m.slug}/cover-{hashlib.sha256(png).hexdigest()[:12]}.png"
    atomic_write_bytes(audio_dir / relative, png)
    m = dataclasses.replace(m, cover=relative)
    manifest.save(audio_dir, m)
    return m


def add_full(audio_dir: Path, m: Manifest) -> Manifest:
    """Join the section MP3s into the whole-article MP3 with one ID3 chapter per section."""
    sections, chapters, cursor = [], [], 0.0
    for s in m.sections:
        sections.append(dataclasses.replace(s, start=round(cursor, 3)))
        end = round(cursor + s.audio.duration, 3)
        chapters.append(audio.Chapter(cursor, end, s.title, f"/articles/{m.slug}/#{s.id}"))
        cursor = end
    tags = audio.Tags(title=m.title, album=m.title, artist=m.author, chapters=tuple(chapters))
    data = audio.concat_mp3([audio_dir / s.audio.file for s in m.sections], tags=tags)
    sha = hashlib.sha256(data).hexdigest()
    relative = f"{m.slug}/{m.slug}-{sha[:12]}.mp3"
    atomic_write_bytes(audio_dir / relative, data)
    m = dataclasses.replace(
        m, sections=tuple(sections), full=AudioFile(relative, len(data), round(cursor, 3), sha)
    )
    manifest.save(audio_dir, m)
    return m


def publish_article(audio_dir: Path, spec: Spec | None = None) -> Manifest:
    return add_covers(audio_dir, add_full(audio_dir, publish(audio_dir, spec or Spec())))


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
    """The conftest's tiny two-section article built once by the real pipeline and voice."""
    from baclovoice.pipeline import build
    from tests.conftest import SMALL_ARTICLE

    root = tmp_path_factory.mktemp("feeds-built")
    (root / "content").mkdir()
    (root / "content" / "tiny.html").write_text(SMALL_ARTICLE, encoding="utf-8")
    settings = Settings.load(
        environ={}, content_dir=root / "content", audio_dir=root / "audio", jobs=2
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
    server = create_server(make_app(built), "127.0.0.1", 0)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield server_url(server).rstrip("/")
    shutdown(server)
    thread.join(timeout=5)

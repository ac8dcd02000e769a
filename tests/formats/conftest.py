"""Articles with downloads: tone MP3s published in a flash, and real pipeline builds.

The fast fixture publishes tone sections (``tests.web.builders``), the whole-article MP3
and covers (``tests.feeds.conftest``), then the downloads with the build's own publish
stage. The slow one builds the seed and an article with images, lists and tables with
the real pipeline and the ``fake`` engine (test tones instead of a voice).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from baclovoice import manifest
from baclovoice.build import publish
from baclovoice.build.store import AudioStore
from baclovoice.models import Manifest
from baclovoice.settings import Settings
from tests.conftest import ROOT, SEED_HTML
from tests.feeds.conftest import publish_article
from tests.web.builders import Spec

RICH_HTML = ROOT / "tests" / "fixtures" / "rich-article.html"
SEED, RICH = "baclofen-for-anxiety", "rich-article"


def add_downloads(audio_dir: Path, m: Manifest) -> Manifest:
    """The EPUB and M4B, published as the build publishes them, and saved in the manifest."""
    store = AudioStore(audio_dir)
    pub = publish.Publisher(store, engine=m.engine, voice=m.voice)
    m = publish.publish_downloads(pub, m, store.read(m.cover) or b"")
    manifest.save(audio_dir, m)
    return m


def publish_with_downloads(audio_dir: Path, spec: Spec | None = None) -> Manifest:
    return add_downloads(audio_dir, publish_article(audio_dir, spec))


@pytest.fixture(scope="module")
def tones(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Manifest]:
    """The 3-section tone article with every download, in a module-wide audio folder."""
    audio_dir = tmp_path_factory.mktemp("formats") / "audio"
    return audio_dir, publish_with_downloads(audio_dir)


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The seed and the rich article, built once by the real pipeline with the fake engine."""
    from baclovoice.build.builder import build

    root = tmp_path_factory.mktemp("formats-built")
    (root / "content").mkdir()
    shutil.copy(SEED_HTML, root / "content" / f"{SEED}.html")
    shutil.copy(RICH_HTML, root / "content" / f"{RICH}.html")
    settings = Settings.load(
        environ={}, content_dir=root / "content", audio_dir=root / "audio", engine="fake"
    )
    build(settings)
    return settings

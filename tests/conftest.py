"""Shared fixtures: small articles in a temp content folder, settings pointing at temp dirs."""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from baclovoice.settings import Settings
from baclovoice.web.server import Limits, create_server, shutdown

ROOT = Path(__file__).resolve().parents[1]
SEED_TEXT = ROOT / "tests" / "fixtures" / "baclofen-for-anxiety.txt"  # the seed article's text
SEED_HTML = ROOT / "content" / "baclofen-for-anxiety.html"
SEED_SECTIONS = [
    "Understanding Baclofen and Its Uses",
    "Anxiety Disorders and Treatment Options",
    "Baclofen's Potential for Treating Anxiety",
    "Benefits and Limitations of Baclofen for Anxiety",
    "Side Effects and Precautions",
    "Consulting with Your Healthcare Provider",
]

# Test folders that need an optional test package: without it they are not collected,
# so the fast tier runs on a bare install; in CI (CI set) a missing one is an error.
OPTIONAL_PACKAGES = {
    "playwright": ["browser/*"],
    "axe_playwright_python": ["browser/*"],
    "feedparser": ["feeds/test_feed.py", "feeds/test_routes.py", "feeds/test_built.py"],
    "podcastparser": ["feeds/test_built.py", "feeds/test_gpodder.py"],
}
MISSING_PACKAGES = sorted(m for m in OPTIONAL_PACKAGES if importlib.util.find_spec(m) is None)
collect_ignore_glob = sorted({g for m in MISSING_PACKAGES for g in OPTIONAL_PACKAGES[m]})


# The longest files of the slow tier, run first. pytest-xdist (--dist loadfile) deals the
# first six files out two per worker, then hands out the rest as workers finish; by
# default it orders files by their number of tests, so the long two-test journeys came
# last and ran on alone (the tier took 154 s: one worker busy 145 s, the others 61 and
# 71 s). The Makefile keeps this order (--no-loadscope-reorder): 105 s.
LONGEST_FIRST = (
    "service/test_journey_worker_killed.py",
    "service/test_journey_server_killed.py",
    "formats/test_epub.py",
    "audio/test_audio.py",
    "ingest/test_extraction_eval.py",
)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Files in ``LONGEST_FIRST`` first; every other order (files and tests) unchanged."""
    rank = {ROOT / "tests" / name: place for place, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path, len(rank)))


def pytest_configure(config: pytest.Config) -> None:
    if MISSING_PACKAGES and os.environ.get("CI"):
        raise pytest.UsageError(
            f"CI must run every test, but these test packages are missing: "
            f"{', '.join(MISSING_PACKAGES)}. Install them: pip install -e '.[test]'"
        )


@contextlib.contextmanager
def serving(app: Any, limits: Limits | None = None) -> Iterator[Any]:
    """The app on the real server (waitress) at 127.0.0.1:<free port>, in a thread;
    stopped, and its thread checked to have ended, on leaving the block."""
    server = create_server(app, "127.0.0.1", 0, limits or Limits())
    thread = threading.Thread(target=server.run, name="waitress", daemon=True)
    thread.start()
    try:
        yield server
    finally:
        shutdown(server)
        thread.join(timeout=5)
        assert not thread.is_alive(), "the server did not stop"


def require_program(name: str, install: str) -> str:
    """The path of a required program; skip without it, but fail in CI (CI set)."""
    found = shutil.which(name)
    if found is None:
        reason = f"{name} is not installed ({install})"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI must run this test, not skip it.")
        pytest.skip(reason)
    return found


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

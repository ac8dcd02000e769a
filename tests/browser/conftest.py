"""A real browser (Debian's Chromium, driven by Playwright) against the app on waitress.

Never downloads a browser: without /usr/bin/chromium the suite skips, and with
the CI environment variable set it fails instead, so CI cannot pass silently.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, sync_playwright

from baclovoice.settings import Settings
from baclovoice.web import create_app
from baclovoice.web.server import server_url
from tests.conftest import serving
from tests.web.builders import Spec, publish

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]
TIMEOUT_MS = 5000  # a broken page fails fast instead of stalling the suite
SECONDS = 6.0  # per section: long enough to watch playback, short enough to play through


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        reason = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI must run the browser suite, not skip it.")
        pytest.skip(reason)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app on waitress at 127.0.0.1:<free port>, serving one three-section article."""
    root = tmp_path_factory.mktemp("browser")
    settings = Settings.load(environ={}, content_dir=root / "content", audio_dir=root / "audio")
    publish(settings.audio_dir, Spec(seconds=SECONDS))
    with serving(create_app(settings)) as server:
        yield server_url(server)


ContextFactory = Callable[..., BrowserContext]


@pytest.fixture
def new_context(browser: Browser, base_url: str) -> Iterator[ContextFactory]:
    """Make browser contexts (viewport, scheme, ...) that fail fast and close afterwards."""
    contexts: list[BrowserContext] = []

    def make(**options: Any) -> BrowserContext:
        options.setdefault("viewport", {"width": 1280, "height": 900})
        context = browser.new_context(base_url=base_url, **options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context: ContextFactory) -> Iterator[Page]:
    """A fresh desktop-sized page; any script error or CSP violation fails the test."""
    page = new_context().new_page()
    problems = collect_problems(page)
    yield page
    assert not problems, problems


def collect_problems(page: Page, expected: re.Pattern[str] | None = None) -> list[str]:
    """The page's script errors and console errors, as they happen, for the test to assert
    none. A failed load names its address, so a failure in CI says what was missing."""
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))

    def on_console(message: ConsoleMessage) -> None:
        if message.type != "error" or (expected and expected.search(message.text)):
            return
        where = message.location.get("url")
        problems.append(f"console error: {message.text}" + (f" ({where})" if where else ""))

    page.on("console", on_console)
    return problems

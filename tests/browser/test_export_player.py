"""The player works from a static export served by plain nginx (issue 13).

The export of a tone library is served by Debian's nginx with the site that
``baclovoice deploy nginx --export`` writes; Chromium opens the player page
from it, plays, moves to the next section, and follows the read-along captions,
with no script error or CSP violation (the ``page`` fixture fails on any).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from baclovoice.deploy.export import export_site
from baclovoice.deploy.nginx import Site, static_site
from baclovoice.settings import Settings
from tests.browser.conftest import SECONDS, TIMEOUT_MS, collect_problems
from tests.deploy.conftest import nginx  # noqa: F401 - the nginx binary fixture
from tests.deploy.nginx_runner import free_port, running_nginx
from tests.feeds.conftest import publish_article
from tests.web.builders import Spec

SLUG = "baclofen-for-anxiety"
PLAYING = "() => !window.baclovoice.audio.paused && window.baclovoice.audio.currentTime > 0.3"


@pytest.fixture(scope="module")
def export_url(nginx: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:  # noqa: F811
    root = tmp_path_factory.mktemp("export-browser")
    settings = Settings.load(environ={}, content_dir=root / "content", audio_dir=root / "audio")
    publish_article(settings.audio_dir, dataclasses.replace(Spec(), seconds=SECONDS))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    export_site(settings, root / "site", base)
    site = static_site(Site(base, f"127.0.0.1:{port}"), root / "site")
    with running_nginx(nginx, root / "nginx", site, port) as url:
        yield url


@pytest.fixture
def export_page(browser: Browser, export_url: str) -> Iterator[Page]:
    context = browser.new_context(base_url=export_url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    problems = collect_problems(page)
    yield page
    context.close()
    assert not problems, problems


def test_player_plays_and_reads_along_from_the_export(export_page: Page) -> None:
    page = export_page
    page.goto("/")
    page.get_by_role("link", name="Baclofen for Anxiety: Can It Help?").first.click()
    page.wait_for_url(f"**/articles/{SLUG}/")
    page.locator("#bv-player").wait_for()
    page.locator("#bv-play").click()
    page.wait_for_function(PLAYING)
    page.wait_for_function("() => document.querySelector('[aria-current=\"true\"]') !== null")
    page.locator("#bv-next").click()
    page.wait_for_function("() => window.baclovoice.index === 1")
    page.wait_for_function(PLAYING)
    expect(page.locator("#bv-status")).to_have_text(
        "Section 2 of 3: Anxiety Disorders and Treatment Options"
    )

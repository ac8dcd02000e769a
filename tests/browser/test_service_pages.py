"""The service's pages in Chromium: sign in, add an article and follow it, and a player page
whose sections become playable while the listener is on it. axe-core finds nothing."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Literal

import pytest
from huey import MemoryHuey
from playwright.sync_api import Browser, BrowserContext, Page, expect

from baclovoice import manifest
from baclovoice.engines import SharedEngine
from baclovoice.engines.fake import FakeEngine
from baclovoice.service.queue import NarrationQueue
from baclovoice.settings import Settings
from baclovoice.web import create_app
from baclovoice.web.ingest_api import QUEUE
from baclovoice.web.server import create_server, server_url, shutdown
from tests.browser.conftest import TIMEOUT_MS, collect_problems
from tests.browser.test_accessibility import axe_violations
from tests.service.conftest import MARKDOWN, TOKEN
from tests.service.test_listen_while_building import in_progress
from tests.web.builders import Spec, publish

SLUG = "baclofen-for-anxiety"
PLAYER = f"articles/{SLUG}/"
# The wrong token's page (401) and the empty form's (400): answers these tests ask for.
EXPECTED_STATUS = re.compile(r"status of 40[01] ")
PLAYING_SECTION_2 = (
    "() => !window.baclovoice.audio.paused"
    " && window.baclovoice.audio.src.includes('/sections/2.mp3')"
)
STARTS_2 = (
    "Array.from(document.querySelectorAll('#bv-section-2 span[data-start]'), s => s.dataset.start)"
)


class Worker(threading.Thread):
    """Runs the in-memory queue's tasks in the background, as a worker process would."""

    def __init__(self, queue: NarrationQueue) -> None:
        super().__init__(name="test-worker", daemon=True)
        self.queue = queue
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            task = self.queue.huey.dequeue()
            if task is None:
                time.sleep(0.05)
            else:
                self.queue.huey.execute(task)


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Settings]]:
    """The app with the API on waitress at 127.0.0.1, and a worker thread."""
    root = tmp_path_factory.mktemp("service")
    (root / "content").mkdir()
    settings = Settings.load(
        environ={},
        content_dir=root / "content",
        audio_dir=root / "audio",
        engine="fake",
        api_token=TOKEN,
        jobs=1,
    )
    app = create_app(settings)
    queue = NarrationQueue(settings, SharedEngine(FakeEngine()), huey=MemoryHuey("browser"))
    app.extensions[QUEUE] = queue
    worker = Worker(queue)
    worker.start()
    server = create_server(app, "127.0.0.1", 0)
    thread = threading.Thread(target=server.run, name="waitress", daemon=True)
    thread.start()
    yield server_url(server), settings
    shutdown(server)
    thread.join(timeout=5)
    worker.stopped.set()
    worker.join(timeout=10)


@pytest.fixture
def open_page(browser: Browser, service: tuple[str, Settings]) -> Iterator[Callable[..., Page]]:
    contexts: list[BrowserContext] = []
    problems: list[list[str]] = []  # one list per page, filled as the page runs

    def make(**options: object) -> Page:
        context = browser.new_context(
            base_url=service[0], viewport={"width": 1280, "height": 900}, **options
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        problems.append(collect_problems(page, EXPECTED_STATUS))
        return page

    yield make
    for context in contexts:
        context.close()
    assert not sum(problems, []), problems


def sign_in(page: Page) -> None:
    page.goto("add")
    expect(page).to_have_url(re.compile(r"/login\?next=/add$"))
    page.get_by_label("API token").fill(TOKEN)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add an article")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_add_an_article_and_follow_it(
    open_page: Callable[..., Page], scheme: Literal["light", "dark"]
) -> None:
    page = open_page(color_scheme=scheme)
    page.goto("login")
    assert axe_violations(page) == ""
    page.get_by_label("API token").fill("not-the-token-0123456789")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("not right")
    assert axe_violations(page) == ""

    sign_in(page)
    assert axe_violations(page) == ""
    page.get_by_label("The pasted text is").select_option("markdown")
    page.get_by_label("Article", exact=True).fill(MARKDOWN)
    page.get_by_label("Name in its address (optional)").fill(f"tea-{scheme}")
    page.get_by_role("button", name="Add and narrate").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Narrating")
    assert axe_violations(page) == ""
    listen = page.get_by_role("link", name="Listen now")
    expect(listen).to_be_visible(timeout=20_000)
    expect(page.locator("#bv-job-status")).to_contain_text("Narration finished", timeout=20_000)
    expect(page.locator("#bv-job-state")).to_have_text("Done: every section is ready.")
    expect(page.locator("#bv-job-again")).to_be_hidden()
    assert axe_violations(page) == ""
    listen.click()
    expect(page.locator("#bv-player")).to_be_visible()


def test_a_rejected_article_is_explained(open_page: Callable[..., Page]) -> None:
    page = open_page()
    sign_in(page)
    page.get_by_role("button", name="Add and narrate").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("There is no article in the form")
    expect(page).to_have_title("Error: Add an article · baclovoice")
    assert axe_violations(page) == ""


@pytest.fixture
def half_built(service: tuple[str, Settings]) -> Iterator[tuple[Path, manifest.Manifest]]:
    """A new article with only its first section narrated; the test finishes it.

    Request it before `open_page`: pytest tears fixtures down in the reverse order, so the
    pages (which poll the article every two seconds) close before the article is removed;
    the other way round, a poll in between answers 404 and fails the test at random."""
    audio_dir = service[1].audio_dir
    complete = publish(audio_dir, Spec(seconds=4.0))
    manifest.manifest_path(audio_dir, SLUG).unlink()
    manifest.save_building(audio_dir, in_progress(complete, {1}))
    yield audio_dir, complete
    manifest.remove_building(audio_dir, SLUG)
    manifest.manifest_path(audio_dir, SLUG).unlink(missing_ok=True)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_sections_being_narrated_are_clean_for_axe(
    half_built: tuple[Path, manifest.Manifest], open_page: Callable[..., Page], scheme: str
) -> None:
    page = open_page(color_scheme=scheme)
    page.goto(PLAYER)
    page.locator("#bv-player").wait_for()
    expect(page.locator("#bv-section-2 .bv-narrating")).to_be_visible()
    expect(page.locator("#bv-progress")).to_contain_text("1 of 3 sections ready")
    assert axe_violations(page) == ""


def test_a_section_plays_once_it_is_ready_without_a_reload(
    half_built: tuple[Path, manifest.Manifest], open_page: Callable[..., Page]
) -> None:
    audio_dir, complete = half_built
    page = open_page()
    page.goto(PLAYER)
    page.locator("#bv-player").wait_for()
    page.evaluate("window.marker = 'same page'")
    page.locator("#bv-next").click()
    page.locator("#bv-play").click()
    status = page.locator("#bv-status")
    expect(status).to_contain_text("Section 2 is still being narrated")
    assert page.evaluate("window.baclovoice.audio.paused")

    manifest.save_building(audio_dir, in_progress(complete, {1, 2}))
    expect(page.locator("#bv-section-2")).not_to_have_class("bv-section bv-pending")
    expect(status).to_contain_text("Section 2 of 3 is ready to play", timeout=10_000)
    page.wait_for_function(PLAYING_SECTION_2, timeout=10_000)
    starts = page.evaluate(STARTS_2)
    assert starts[-1] != "0.000"  # the read-along timings arrived too
    expect(page.locator("#bv-section-2 .bv-here")).to_be_visible()
    expect(page.locator("#bv-section-2 a.bv-download")).to_be_visible()  # its download too
    expect(page.locator("#bv-section-2 audio.bv-native")).to_be_hidden()  # the bar plays it

    manifest.save(audio_dir, complete)
    manifest.remove_building(audio_dir, SLUG)
    expect(page.locator("#bv-progress")).to_contain_text("every one ready", timeout=10_000)
    expect(status).to_contain_text("The whole article is ready")
    assert page.evaluate("window.marker") == "same page"  # never reloaded

"""Offline listening, the whole journey in Chromium: save, lose the network, reload, play,
seek to 2:00 and keep playing, then remove. The server is stopped before going offline,
so nothing can come from the network, whatever the browser's offline emulation covers."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Response

from baclovoice.settings import Settings
from baclovoice.web import create_app
from baclovoice.web.server import server_url
from tests.browser.conftest import TIMEOUT_MS
from tests.browser.test_accessibility import axe_violations
from tests.conftest import serving
from tests.web.builders import Spec, publish

SLUG = "baclofen-for-anxiety"
PLAYER = f"/articles/{SLUG}/"
SECONDS = 130.0  # per section: long enough to seek to 2:00 inside one
SAVED = "Saved for offline listening on"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Callable[[], None]]]:
    """A server of its own (the test stops it), with three 130-second tone sections."""
    root = tmp_path_factory.mktemp("offline")
    settings = Settings.load(environ={}, content_dir=root / "content", audio_dir=root / "audio")
    publish(settings.audio_dir, Spec(seconds=SECONDS))
    with contextlib.ExitStack() as running:  # the test stops it early; closing twice is fine
        server = running.enter_context(serving(create_app(settings)))
        yield server_url(server).rstrip("/"), running.close


def playback(page: Page, url: str, seek: float) -> dict[str, Any]:
    """Play ``url`` in a fresh audio element from ``seek`` seconds; where it got to, and when."""
    return page.evaluate(
        """async ([url, seek]) => {
          const audio = new Audio(url);
          document.body.append(audio);
          await new Promise((ok, fail) => {
            audio.addEventListener('loadedmetadata', ok, {once: true});
            audio.addEventListener('error', () => fail(new Error('audio error')), {once: true});
          });
          audio.currentTime = seek;
          await new Promise((ok) => audio.addEventListener('seeked', ok, {once: true}));
          const at = audio.currentTime;
          await audio.play();
          const started = performance.now();
          while (audio.currentTime < at + 1.5 && performance.now() - started < 8000) {
            await new Promise((ok) => setTimeout(ok, 100));
          }
          const state = {duration: audio.duration, seeked: at, now: audio.currentTime,
                         paused: audio.paused, waited: (performance.now() - started) / 1000};
          audio.pause();
          audio.remove();
          return state;
        }""",
        [url, seek],
    )


def ranged_answers(page: Page, url: str, ranges: list[str]) -> list[list[Any]]:
    """[status, Content-Range, Content-Length, body length] for each Range header ("" none)."""
    return page.evaluate(
        """async ([url, ranges]) => Promise.all(ranges.map(async (range) => {
          const response = await fetch(url, range ? {headers: {Range: range}} : {});
          const body = await response.arrayBuffer();
          return [response.status, response.headers.get('Content-Range'),
                  response.headers.get('Content-Length'), body.byteLength];
        }))""",
        [url, ranges],
    )


def saved_caches(page: Page) -> list[str]:
    return page.evaluate("async () => (await caches.keys()).filter(k => k.startsWith('bv-'))")


def cached_sizes(page: Page, name: str) -> dict[str, int]:
    """Each URL in the cache ``name`` and the size of the body stored for it."""
    return page.evaluate(
        """async (name) => {
          const cache = await caches.open(name);
          const sizes = {};
          for (const request of await cache.keys()) {
            sizes[request.url] = (await (await cache.match(request)).blob()).size;
          }
          return sizes;
        }""",
        name,
    )


def shown_size(n: int) -> str:
    """A size as offline-ui.js shows it."""
    return f"{int(n / 1e3 + 0.5)} kB" if n < 1e6 else f"{n / 1e6:.1f} MB"


def test_save_go_offline_reload_play_seek_and_remove(
    browser: Browser, site: tuple[str, Callable[[], None]]
) -> None:
    base, stop = site
    context = browser.new_context(base_url=base)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    from_worker: list[tuple[str, int]] = []

    def on_response(response: Response) -> None:
        if "/sections/" in response.url and response.from_service_worker:
            from_worker.append((response.url, response.status))

    page.on("response", on_response)
    try:
        # 1. Online: save the article.
        page.goto(PLAYER)
        save = page.get_by_role("button", name="Save for offline listening")
        save.wait_for()
        listing = page.evaluate(
            "async (u) => (await fetch(u)).json()", f"/articles/{SLUG}/offline.json"
        )
        started = time.perf_counter()
        save.focus()
        page.keyboard.press("Enter")  # by keyboard, as everything in this journey
        status = page.locator("#bv-offline p")
        status.filter(has_text=SAVED).wait_for(timeout=60_000)
        save_seconds = time.perf_counter() - started
        remove = page.get_by_role("button", name="Remove the offline copy")
        assert remove.is_visible() and save.is_hidden()
        assert page.evaluate("document.activeElement.textContent") == "Remove the offline copy"
        assert SAVED in page.locator("#bv-status").inner_text()  # announced politely
        (cache,) = saved_caches(page)
        assert cache == f"bv-article:{SLUG}:{listing['version']}"
        # Every listed file is stored whole, and the page shows how much space they take.
        sizes = cached_sizes(page, cache)
        record = f"{base}/articles/{SLUG}/offline.json?saved=1"
        assert set(sizes) == {base + f["url"] for f in listing["files"]} | {record}
        for file in listing["files"]:
            if file["bytes"] is not None:
                assert sizes[base + file["url"]] == file["bytes"], file["url"]
        stored = sum(size for url, size in sizes.items() if url != record)
        assert stored > listing["bytes"]  # the listed sizes and the pages, captions
        shown = f": {listing['sections']} sections, {shown_size(stored)} in this browser."
        assert shown in status.inner_text()
        assert axe_violations(page) == ""

        # 2. The library marks the saved article.
        page.goto("/")
        mark = page.get_by_role("link", name="(saved for offline listening)")
        mark.wait_for()
        assert mark.count() == 1 and mark.get_attribute("href") == PLAYER

        # 3. Offline: no server, no network. Reload the player page.
        stop()
        context.set_offline(True)
        page.goto(PLAYER)
        page.reload()
        assert page.title().startswith("Baclofen for Anxiety")
        assert page.evaluate("navigator.serviceWorker.controller !== null")
        status.filter(has_text=SAVED).wait_for()

        # 4. Play from the start, then seek to 2:00 and keep playing.
        first = next(f["url"] for f in listing["files"] if "/sections/1.mp3" in f["url"])
        from_start = playback(page, first, 0.0)
        at_two_minutes = playback(page, first, 120.0)
        assert from_start["duration"] == pytest.approx(SECONDS, abs=0.1)
        assert from_start["now"] >= 1.5 and not from_start["paused"]
        assert at_two_minutes["seeked"] == pytest.approx(120.0, abs=0.5)
        assert at_two_minutes["now"] >= at_two_minutes["seeked"] + 1.5
        assert any(status == 206 for _, status in from_worker), from_worker
        size = next(f["bytes"] for f in listing["files"] if f["url"] == first)
        ranges = ranged_answers(page, first, ["bytes=100-199", "bytes=-50", f"bytes={size}-", ""])
        assert ranges[0] == [206, f"bytes 100-199/{size}", "100", 100]
        assert ranges[1] == [206, f"bytes {size - 50}-{size - 1}/{size}", "50", 50]
        assert ranges[2][:2] == [416, f"bytes */{size}"]
        assert ranges[3] == [200, None, str(size), size]

        # 5. The player's own controls: go to 2:00 in section 1, press Play, and it plays on.
        page.locator("summary", has_text="Go to a section or time").focus()
        page.keyboard.press("Enter")
        page.get_by_label("Section", exact=True).select_option(index=0)
        field = page.get_by_label("Time in the section (minutes:seconds)")
        field.fill("2:00")
        field.press("Enter")
        page.locator("#bv-play").focus()
        page.keyboard.press("Enter")
        page.wait_for_function(
            "() => !window.baclovoice.audio.paused && window.baclovoice.audio.currentTime >= 121.5",
            timeout=10_000,
        )
        player_now = page.evaluate("window.baclovoice.audio.currentTime")
        assert page.evaluate("window.baclovoice.audio.currentSrc") == base + first  # the saved URL
        page.evaluate("window.baclovoice.audio.pause()")

        # 6. A page that was never saved says so, offline.
        other = context.new_page()
        other.goto("/articles/not-saved/")
        assert "You are offline" in other.locator("h1").inner_text()
        assert other.get_by_role("link", name="Baclofen for Anxiety: Can It Help?").count() == 1
        other.close()

        # 7. Remove the offline copy (works offline too).
        remove.focus()
        page.keyboard.press("Enter")
        status.filter(has_text="The offline copy was removed.").wait_for()
        assert saved_caches(page) == []
        assert page.evaluate("document.activeElement.textContent") == "Save for offline listening"
        assert "removed" in page.locator("#bv-status").inner_text()
        print(
            f"\nsaved {stored} bytes ({listing['bytes']} listed) in {len(listing['files'])} "
            f"files in {save_seconds:.1f} s, shown as {shown_size(stored)}; offline: played "
            f"0 → {from_start['now']:.2f} s, seeked to {at_two_minutes['seeked']:.2f} s → "
            f"{at_two_minutes['now']:.2f} s in {at_two_minutes['waited']:.1f} s; the player "
            f"at 2:00 → {player_now:.2f} s; "
            f"{sum(s == 206 for _, s in from_worker)} ranged answers (206) from the service worker"
        )
    finally:
        context.close()
    assert not problems, problems

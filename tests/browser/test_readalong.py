"""Read-along listening (issue 5): the spoken sentence highlighted and followed, listening
from any sentence, media keys, resume, sleep timer, reading preferences, no-drag seeking."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.browser.conftest import SECONDS, ContextFactory
from tests.browser.test_accessibility import WCAG_TAGS
from tests.browser.test_player import PLAYER, PLAYING, open_player

TITLE = "Baclofen for Anxiety: Can It Help?"
SECTION_2 = "Anxiety Disorders and Treatment Options"
STARTED = "() => !window.baclovoice.audio.paused && window.baclovoice.audio.currentTime > 0"
CURRENT = "() => Array.from(document.querySelectorAll('[aria-current=\"true\"]'), e => e.id)"
# Records the page's Media Session handlers so a test can press a lock-screen button.
RECORD_MEDIA_ACTIONS = """
window.bvActions = {};
const session = navigator.mediaSession;
const register = session.setActionHandler.bind(session);
session.setActionHandler = (name, handler) => {
  window.bvActions[name] = handler;
  register(name, handler);
};
"""


def sentence(page: Page, section: int, k: int) -> dict[str, float]:
    """Start and end of a sentence: it ends where the next one starts, or with the section."""
    times: dict[str, float] = page.evaluate(
        f"""() => {{ const at = (k) => document.getElementById(`bv-s{section}-${{k}}`);
        return {{start: +at({k}).dataset.start,
                 end: at({k + 1}) ? +at({k + 1}).dataset.start : {SECONDS}}}; }}"""
    )
    return times


def current(page: Page) -> list[str]:
    ids: list[str] = page.evaluate(CURRENT)
    return ids


def in_view(page: Page, selector: str) -> bool:
    return page.eval_on_selector(
        selector,
        """e => { const r = e.getBoundingClientRect();
                  return r.top >= 0 && r.bottom <= window.innerHeight; }""",
    )


def open_tools(page: Page) -> None:
    for summary in page.locator("#bv-tools summary, #bv-prefs summary").all():
        summary.click()


@pytest.mark.parametrize("timing", [(1, 1), (1, 4), (2, 3), (3, 2), (3, 3)])
def test_seeking_into_a_sentence_makes_exactly_it_current(page: Page, timing: Any) -> None:
    section, k = timing
    open_player(page)
    assert current(page) == []  # nothing is marked before the listener starts
    times = sentence(page, section, k)
    assert times["end"] <= SECONDS  # the fixture sentences lie inside the fixture audio
    middle = (times["start"] + times["end"]) / 2
    page.evaluate(f"window.baclovoice.select({section - 1}, {{time: {middle}}})")
    assert current(page) == [f"bv-s{section}-{k}"]
    ring = page.eval_on_selector(f"#bv-s{section}-{k}", "e => getComputedStyle(e).boxShadow")
    assert ring != "none"  # a ring: a cue that is not colour alone
    page.evaluate(f"window.baclovoice.seek({times['start']})")  # exactly at the start
    assert current(page) == [f"bv-s{section}-{k}"]


def test_highlight_follows_playback_into_the_next_section(page: Page) -> None:
    open_player(page)
    page.evaluate(f"window.baclovoice.select(0, {{time: {SECONDS - 0.6}, play: true}})")
    page.wait_for_function(f"({CURRENT})().join() === 'bv-s1-8'")  # the last sentence
    page.wait_for_function("() => window.baclovoice.index === 1", timeout=5000)
    page.wait_for_function(PLAYING)
    assert current(page) in (["bv-s2-1"], ["bv-s2-2"])


def test_clicking_a_sentence_plays_from_its_start(page: Page) -> None:
    open_player(page)
    start = sentence(page, 2, 3)["start"]
    page.locator("#bv-s2-3").click()
    page.wait_for_function(STARTED)
    state = page.evaluate("[window.baclovoice.index, window.baclovoice.audio.currentTime]")
    assert state[0] == 1
    assert abs(state[1] - start) < 0.3
    assert current(page) == ["bv-s2-3"]


def test_sentences_are_one_tab_stop_per_section_and_enter_plays(page: Page) -> None:
    open_player(page)
    stops = page.eval_on_selector_all("span[data-start][tabindex='0']", "els => els.map(e => e.id)")
    assert stops == ["bv-s1-3", "bv-s2-1", "bv-s3-1"]  # the title and date line are no stops
    page.locator("#bv-s2-1").focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.id") == "bv-s2-3"
    page.keyboard.press("End")
    assert page.evaluate("document.activeElement.id") == "bv-s2-7"
    page.keyboard.press("Home")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.id") == "bv-s2-2"
    tab_stops = page.eval_on_selector_all(
        "#bv-section-2 span[tabindex='0']", "els => els.map(e => e.id)"
    )
    assert tab_stops == ["bv-s2-2"]  # the roving stop moved with focus
    page.keyboard.press("Enter")
    page.wait_for_function(PLAYING)
    assert page.evaluate("window.baclovoice.index") == 1
    assert current(page)[0].startswith("bv-s2-")


def test_media_session_actions_and_metadata(new_context: ContextFactory) -> None:
    context = new_context()
    context.add_init_script(RECORD_MEDIA_ACTIONS)
    page = context.new_page()
    open_player(page)
    actions = page.evaluate("Object.keys(window.bvActions).sort()")
    assert actions == sorted(
        ["play", "pause", "seekbackward", "seekforward", "previoustrack", "nexttrack", "seekto"]
    )
    metadata = "() => ['title', 'artist', 'album'].map(k => navigator.mediaSession.metadata[k])"
    assert page.evaluate(metadata) == ["Understanding Baclofen and Its Uses", "Ada Tester", TITLE]
    page.evaluate("window.bvActions.nexttrack({action: 'nexttrack'})")
    assert page.evaluate("window.baclovoice.index") == 1
    expect(page.locator("#bv-now")).to_have_text(f"Section 2 of 3: {SECTION_2}")
    assert page.evaluate(metadata)[0] == SECTION_2
    page.evaluate("window.bvActions.seekto({action: 'seekto', seekTime: 4})")
    expect(page.locator("#bv-clock")).to_have_text("0:04 / 0:06")
    page.evaluate("window.bvActions.play({action: 'play'})")
    page.wait_for_function(PLAYING)
    assert page.evaluate("navigator.mediaSession.playbackState") == "playing"
    page.evaluate("window.bvActions.previoustrack({action: 'previoustrack'})")
    assert page.evaluate("window.baclovoice.index") == 0


def test_follow_mode_scrolls_only_when_needed_and_can_be_stopped(
    new_context: ContextFactory,
) -> None:
    context = new_context(viewport={"width": 900, "height": 700}, reduced_motion="reduce")
    page = context.new_page()
    open_player(page)
    follow = page.get_by_role("button", name="Follow the narration")
    expect(follow).to_have_attribute("aria-pressed", "true")
    page.evaluate("window.baclovoice.select(2, {time: 5})")  # far below: scrolled at once
    assert in_view(page, "#bv-s3-3")
    page.evaluate("window.baclovoice.select(2, {time: 0.1})")  # already in view: no scroll
    scrolled = page.evaluate("window.scrollY")
    page.evaluate("window.baclovoice.select(2, {time: 2})")
    assert page.evaluate("window.scrollY") == scrolled
    follow.click()
    expect(follow).to_have_attribute("aria-pressed", "false")
    page.evaluate("window.scrollTo(0, 0)")
    page.evaluate("window.baclovoice.select(2, {time: 5})")
    assert page.evaluate("window.scrollY") == 0  # not following: the page stays put
    follow.click()
    expect(follow).to_have_attribute("aria-pressed", "true")
    assert in_view(page, "#bv-s3-3")
    page.evaluate("window.baclovoice.play()")
    page.wait_for_function(PLAYING)
    page.mouse.wheel(0, -300)  # the listener scrolls away while it plays
    expect(follow).to_have_attribute("aria-pressed", "false")
    expect(page.locator("#bv-status")).to_have_text("Stopped following.")
    follow.click()
    expect(follow).to_have_attribute("aria-pressed", "true")
    page.locator("#bv-section-1 .bv-download").focus()  # moving focus away pauses, no more
    expect(follow).to_have_attribute("aria-pressed", "true")


def test_highlight_can_be_switched_off(page: Page) -> None:
    open_player(page)
    page.evaluate("window.baclovoice.select(1, {time: 1})")
    style = """(() => { const s = getComputedStyle(document.querySelector('[aria-current]'));
        return [s.boxShadow === 'none', s.backgroundColor]; })()"""
    assert page.evaluate(style) != [True, "rgba(0, 0, 0, 0)"]
    page.get_by_text("Reading preferences").click()
    page.get_by_label("Highlight the sentence being read").uncheck()
    assert page.evaluate(style) == [True, "rgba(0, 0, 0, 0)"]
    assert len(current(page)) == 1  # screen readers still find the current sentence


def test_preferences_apply_at_once_and_survive_a_reload(page: Page) -> None:
    open_player(page)
    page.get_by_text("Reading preferences").click()
    page.get_by_label("Text size").select_option(label="200 %")
    page.get_by_label("Line spacing").select_option(label="Wide")
    page.get_by_label("Colours").select_option(label="High contrast: yellow on black")
    page.get_by_label("Highly legible font").check()
    applied = """() => { const b = getComputedStyle(document.body);
        return [getComputedStyle(document.documentElement).fontSize, b.backgroundColor,
                b.color, b.lineHeight, b.fontFamily.split(',')[0]]; }"""
    expected = ["32px", "rgb(0, 0, 0)", "rgb(255, 255, 0)", "72px", '"Atkinson Hyperlegible"']
    assert page.evaluate(applied) == expected  # 1.125 rem × 32 px × line spacing 2
    page.reload()
    page.locator("#bv-player").wait_for()
    assert page.evaluate(applied) == expected
    expect(page.get_by_label("Text size")).to_have_value("2")
    expect(page.get_by_label("Colours")).to_have_value("contrast")
    expect(page.get_by_label("Highly legible font")).to_be_checked()
    page.goto("/")  # every page reads in the chosen way
    assert page.evaluate(applied) == expected


def test_resume_offers_the_saved_position(page: Page) -> None:
    open_player(page)
    expect(page.locator("#bv-resume")).to_be_hidden()  # first visit: nothing to resume
    page.evaluate("window.baclovoice.select(2, {time: 4})")
    page.reload()
    page.locator("#bv-player").wait_for()
    resume = page.get_by_role("button", name="Resume section 3 at 0:04")
    resume.focus()
    page.keyboard.press("Enter")
    page.wait_for_function(PLAYING)
    state = page.evaluate("[window.baclovoice.index, window.baclovoice.audio.currentTime]")
    assert state[0] == 2 and 3.9 <= state[1] < 5
    expect(resume).to_be_hidden()
    assert page.evaluate("document.activeElement.id") == "bv-play"  # focus not lost


def test_sleep_timer_pauses_at_the_end_of_the_section(page: Page) -> None:
    open_player(page)
    page.get_by_label("Sleep timer").select_option(label="At the end of this section")
    page.evaluate(f"window.baclovoice.select(0, {{time: {SECONDS - 0.8}, play: true}})")
    page.wait_for_function(PLAYING)
    page.wait_for_function("() => window.baclovoice.index === 1", timeout=5000)
    page.wait_for_timeout(400)
    audio = page.evaluate("[window.baclovoice.audio.paused, window.baclovoice.audio.currentTime]")
    assert audio == [True, pytest.approx(SECONDS, abs=0.1)]  # section 1 ended, 2 not begun
    expect(page.locator("#bv-now")).to_have_text(f"Section 2 of 3: {SECTION_2}")
    expect(page.locator("#bv-status")).to_have_text(
        "Sleep timer: paused at the end of the section."
    )
    expect(page.get_by_label("Sleep timer")).to_have_value("")


def test_sleep_timer_in_minutes(new_context: ContextFactory) -> None:
    page = new_context().new_page()
    page.clock.install()
    open_player(page)
    page.evaluate("window.baclovoice.play()")
    page.get_by_label("Sleep timer").select_option(label="In 15 minutes")
    page.clock.fast_forward("14:59")
    assert page.evaluate("window.baclovoice.audio.paused") is False
    page.clock.fast_forward("00:02")
    assert page.evaluate("window.baclovoice.audio.paused") is True
    expect(page.locator("#bv-status")).to_have_text("Sleep timer: playback paused.")


def test_time_left_and_go_to_a_section_and_time(page: Page) -> None:
    open_player(page)
    left = page.locator("#bv-left")
    expect(left).to_have_text("Article: 0:18 left at 1×")
    page.get_by_label("Speed").select_option("2")
    expect(left).to_have_text("Article: 0:09 left at 2×")
    page.get_by_text("Go to a section or time").click()
    page.get_by_label("Section", exact=True).select_option(label=f"2. {SECTION_2}")
    field = page.get_by_label("Time in the section (minutes:seconds)")
    field.fill("nonsense")
    page.get_by_role("button", name="Go", exact=True).click()
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#bv-goto-err")).to_be_visible()
    assert page.evaluate("window.baclovoice.index") == 0
    field.fill("0:03")
    field.press("Enter")
    expect(page.locator("#bv-goto-err")).to_be_hidden()
    expect(page.locator("#bv-now")).to_have_text(f"Section 2 of 3: {SECTION_2}")
    expect(page.locator("#bv-clock")).to_have_text("0:03 / 0:06")
    expect(left).to_have_text("Article: 0:05 left at 2×")  # (3 + 6) s at double speed


def test_copy_button_copies_the_feed_address(new_context: ContextFactory, base_url: str) -> None:
    context = new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto("/")
    page.get_by_role("button", name="Copy the address of the library feed").click()
    expect(page.locator("#bv-status")).to_have_text("Address copied.")
    assert page.evaluate("navigator.clipboard.readText()") == base_url + "feed.xml"


def test_new_controls_are_large_enough(page: Page) -> None:
    open_player(page)
    open_tools(page)
    page.locator("#bv-keys summary").click()
    controls = page.locator(
        "#bv-tools button:visible, #bv-tools select, #bv-tools input:not([type=checkbox]), "
        "#bv-tools summary, #bv-prefs summary, #bv-prefs select, .bv-subscribe button, "
        ".bv-subscribe input"
    )
    assert controls.count() == 17
    for i in range(controls.count()):
        box = controls.nth(i).bounding_box()
        assert box is not None
        name = controls.nth(i).evaluate("el => el.id || el.textContent")
        assert box["height"] >= 44 and box["width"] >= 44, name
    for box in page.locator("#bv-prefs input[type=checkbox], #bv-keys-on").all():
        size = box.bounding_box()
        assert size is not None and size["height"] >= 24 and size["width"] >= 24


@pytest.mark.parametrize(
    ("theme", "path"),
    [("light", PLAYER), ("dark", PLAYER), ("contrast", PLAYER), ("contrast", "")],
)
def test_axe_finds_no_violations_in_each_theme(
    new_context: ContextFactory, theme: str, path: str
) -> None:
    context = new_context()
    context.add_init_script(
        f"localStorage.setItem('bv-prefs', JSON.stringify({{theme: '{theme}', hl: true}}))"
    )
    page = context.new_page()
    page.goto(path)
    if path:
        page.locator("#bv-player").wait_for()
        open_tools(page)
        page.evaluate("window.baclovoice.select(1, {time: 1})")  # a sentence is highlighted
        assert len(current(page)) == 1
    assert page.evaluate("document.documentElement.dataset.theme") == theme
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    assert results.violations_count == 0, results.generate_report()

"""Issue 9: the player tried as low-vision listeners use it: phone size, 200 % and 400 % zoom
(a smaller viewport at a higher device scale factor, as browser zoom gives), text size 400 %,
forced colours, reduced motion, keyboard only."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from PIL import Image
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import SECONDS, ContextFactory
from tests.browser.test_accessibility import WCAG_TAGS
from tests.browser.test_player import PLAYER, PLAYING

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "is_mobile": True}
ZOOM_200 = {"viewport": {"width": 640, "height": 400}, "device_scale_factor": 2}  # 1280×800
ZOOM_400 = {"viewport": {"width": 320, "height": 200}, "device_scale_factor": 4}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
TEXT_400 = {"size": "4"}  # the reading preference "Text size: 400 %"

# Each condition: browser context options and the reading preferences stored beforehand.
CONDITIONS: dict[str, tuple[dict[str, Any], dict[str, str]]] = {
    "phone": (PHONE, {}),
    "phone, reduced motion": ({**PHONE, "reduced_motion": "reduce"}, {}),
    "200 % zoom": (ZOOM_200, {}),
    "400 % zoom, forced colours": ({**ZOOM_400, "forced_colors": "active"}, {}),
    "text size 400 %": (DESKTOP, TEXT_400),
}

# Samples the page once a second, in the page itself so all pages sample at once. Each sample
# waits for a scroll in progress to end, then records what a listener would see.
SAMPLER = """(count) => new Promise((done) => {
  const samples = [];
  const mini = document.getElementById('bv-mini');
  const inside = (el, bottom) => {
    if (!el) return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.top >= -1 && r.bottom <= bottom + 1 && r.left >= -1
      && r.right <= innerWidth + 1;
  };
  const settled = async () => {
    for (let i = 0, y = -1; i < 25 && y !== scrollY; i++) {
      y = scrollY;
      await new Promise((r) => setTimeout(r, 60));
    }
  };
  const sample = async () => {
    await settled();
    const free = innerHeight - mini.offsetHeight;  // the part of the window the text gets
    const read = () => document.querySelector('[aria-current="true"]');
    for (let i = 0; i < 3 && !inside(read(), free); i++) {  // a scroll to it may be under way
      await new Promise((r) => setTimeout(r, 200));
      await settled();
    }
    const focus = document.activeElement;
    const current = read();
    samples.push({
      pause: [...document.querySelectorAll('button')].some((b) =>
        (b.getAttribute('aria-label') || b.textContent).trim() === 'Pause'
        && inside(b, innerHeight)),
      focus: focus.id,
      focusInView: inside(focus, mini.contains(focus) ? innerHeight : free),
      current: current && current.id,
      currentInView: inside(current, free),
      sideways: document.documentElement.scrollWidth > document.documentElement.clientWidth,
      following: window.baclovoice.following,
      playing: !window.baclovoice.audio.paused,
    });
  };
  let n = 0;
  const timer = setInterval(async () => {
    await sample();
    if (++n === count) {
      clearInterval(timer);
      done(samples);
    }
  }, 1000);
})"""

IN_VIEW = """(el) => { const r = el.getBoundingClientRect();
  const free = innerHeight - document.getElementById('bv-mini').offsetHeight;
  return r.top >= -1 && r.bottom <= free + 1; }"""
NO_SIDEWAYS = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"


SETTLE = """async () => {  // until a smooth scroll (slow on a busy machine) is over
  for (let i = 0, y = -1; i < 40 && y !== scrollY; i++) {
    y = scrollY;
    await new Promise((r) => setTimeout(r, 100));
  }
}"""


def prefs_script(prefs: dict[str, str]) -> str:
    return f"localStorage.setItem('bv-prefs', {json.dumps(json.dumps(prefs))})"


@pytest.fixture
def open_page(new_context: ContextFactory) -> Iterator[Any]:
    """Open a path in a new context (options, stored preferences); script errors fail the test."""
    problems: list[str] = []

    def open_(path: str = PLAYER, prefs: dict[str, str] | None = None, **options: Any) -> Page:
        context: BrowserContext = new_context(**options)
        if prefs:
            context.add_init_script(prefs_script(prefs))
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(f"{path}: {error}"))
        page.goto(path)
        if path == PLAYER:
            page.locator("#bv-player").wait_for()
        return page

    yield open_
    assert not problems, problems


def keyboard_to_play(page: Page) -> None:
    """Tab from the top of the page: the second stop skips to the player (issue 9, point 10)."""
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    expect(skip).to_have_text("Skip to the player")
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("#bv-play")).to_be_focused()


def test_pause_and_focus_stay_in_view_while_following_at_every_size(
    new_context: ContextFactory,
) -> None:
    """Points 1, 2, 9, 10 and 12, in every condition at once: started from the keyboard, then
    sampled every second over 10 s of playback with focus on the player's Pause (following
    waits for it, without turning off), then 4 s with focus in the mini player (following goes
    on, and the sentence being read is never under the mini player)."""
    pages: dict[str, Page] = {}
    for name, (options, prefs) in CONDITIONS.items():  # all load at the same time
        context = new_context(**options)
        context.add_init_script(prefs_script(prefs))
        pages[name] = context.new_page()
        pages[name].goto(PLAYER, wait_until="commit")
    for page in pages.values():
        page.locator("#bv-player").wait_for()
        expect(page.locator("#bv-m-play")).to_be_in_viewport(ratio=1)  # Play on the first screen
        keyboard_to_play(page)
        expect(page.locator("#bv-play")).to_be_in_viewport()
    for page in pages.values():  # all start together, so none reaches the end too soon
        page.keyboard.press("Enter")
    for page in pages.values():
        page.wait_for_function(PLAYING)
    for page in pages.values():  # from the start again, in quick succession: 18 s for 10 s
        page.evaluate("window.baclovoice.select(0, {play: true})")
    failures = []

    def check(seconds: int, where: str) -> None:
        for page in pages.values():  # start sampling everywhere at once, collect afterwards
            page.evaluate(f"() => {{ window.bvSamples = ({SAMPLER})({seconds}); }}")
        for name, page in pages.items():
            samples = page.evaluate("() => window.bvSamples")
            assert len(samples) == seconds
            for i, sample in enumerate(samples):
                problems = [
                    label
                    for label, bad in (
                        ("no Pause on screen", not sample["pause"]),
                        (f"focused {sample['focus']} out of view", not sample["focusInView"]),
                        ("sideways scrolling", sample["sideways"]),
                        ("following turned off", not sample["following"]),
                        ("not playing", not sample["playing"]),
                        (
                            f"sentence {sample['current']} not in view",
                            where == "mini" and not sample["currentInView"],
                        ),
                    )
                    if bad
                ]
                if problems:
                    failures.append(f"{name}, focus in the {where}, second {i + 1}: {problems}")

    check(10, "player")
    for page in pages.values():
        assert page.evaluate("document.activeElement.id") == "bv-play"
        page.evaluate("window.baclovoice.select(1, {play: true})")  # audio left for 4 s more
        page.locator("#bv-m-play").focus()  # Pause in the mini player
    check(4, "mini")
    assert not failures, "\n".join(failures)


def test_tab_in_the_mini_player_does_not_scroll_the_page(open_page: Any) -> None:
    """Point 3: the mini player is fixed; moving through it leaves the text where it is."""
    page = open_page(**DESKTOP)
    page.evaluate("window.baclovoice.select(1, {time: 2})")
    page.evaluate(SETTLE)
    page.evaluate("window.scrollBy(0, 150)")
    page.evaluate(SETTLE)
    page.locator("#bv-m-play").focus()
    scrolled = page.evaluate("window.scrollY")
    assert scrolled > 0
    for key in ["Tab"] * 5 + ["Shift+Tab"] * 5:
        page.keyboard.press(key)
        assert page.evaluate("document.activeElement.closest('#bv-mini') !== null")
        assert page.evaluate("window.scrollY") == scrolled, key


def test_tab_never_puts_focus_under_the_mini_player(open_page: Any) -> None:
    """WCAG 2.4.11 at 400 % zoom: the page keeps the mini player's height free below whatever
    has focus (reduced motion: the browser scrolls to it at once)."""
    page = open_page(**ZOOM_400, reduced_motion="reduce")
    page.locator("#bv-keys summary").click()  # its checkbox too
    page.evaluate(
        """() => { window.bvFocus = [];
        document.addEventListener('focusin', (event) => {  // scrolled to it already
          const f = event.target, r = f.getBoundingClientRect();
          const top = document.getElementById('bv-mini').getBoundingClientRect().top;
          const seen = f.closest('#bv-mini') || (r.top >= -1 && r.bottom <= top + 1);
          window.bvFocus.push([f.id || f.textContent.trim().slice(0, 30), Boolean(seen)]);
        }); }"""
    )
    page.evaluate("window.scrollTo(0, 0)")
    for _ in range(45):  # over the whole page
        page.keyboard.press("Tab")
    page.wait_for_timeout(100)
    focused = page.evaluate("window.bvFocus")
    assert len(focused) >= 30
    assert [name for name, seen in focused if not seen] == []
    page.get_by_role("button", name="Show the player").click()
    expect(page.locator("#bv-play")).to_be_focused()
    expect(page.locator("#bv-play")).to_be_in_viewport()


def test_tabbing_out_of_the_player_keeps_following_on(open_page: Any) -> None:
    """Point 12: during playback, Tab from Play out of the player and on into the page leaves
    following on (nothing says "Stopped following."), and playback goes on."""
    page = open_page(**DESKTOP)
    page.evaluate("window.baclovoice.select(0, {time: 0.5, play: true})")
    page.wait_for_function(PLAYING)
    page.locator("#bv-play").focus()
    outside = "() => !document.activeElement.closest('#bv-player, #bv-mini')"
    for _ in range(15):
        page.keyboard.press("Tab")
        if page.evaluate(outside):
            break
    else:
        raise AssertionError("Tab never left the player")
    for _ in range(6):  # on through the tools and into the text
        page.keyboard.press("Tab")
        assert page.evaluate(outside)
        assert page.evaluate("window.baclovoice.following")
    page.wait_for_timeout(300)  # an announcement would be made by now
    expect(page.locator("#bv-follow")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#bv-status")).not_to_have_text("Stopped following.")
    assert page.evaluate("window.baclovoice.following")
    page.wait_for_function(PLAYING)


def test_enter_on_a_sentence_with_following_off_keeps_it_in_view(open_page: Any) -> None:
    """Point 4: the chosen sentence, not the one playing before, stays on screen (smooth
    scrolling on, as most listeners have it)."""
    page = open_page(**ZOOM_200)
    page.evaluate("window.baclovoice.select(0, {time: 2, play: true})")
    page.wait_for_function(PLAYING)
    page.get_by_role("button", name="Follow the narration").click()
    chosen = page.locator("#bv-s3-2")
    chosen.scroll_into_view_if_needed()
    chosen.focus()
    page.evaluate(SETTLE)
    top = chosen.evaluate("e => e.getBoundingClientRect().top")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.getElementById('bv-s3-2').ariaCurrent === 'true'")
    page.wait_for_timeout(300)  # any scroll would be under way by now: wait for its end
    page.evaluate(SETTLE)
    assert chosen.evaluate(IN_VIEW)
    # Where the listener saw it (the browser's scroll anchoring may keep it there when the
    # section above changes its layout).
    assert abs(chosen.evaluate("e => e.getBoundingClientRect().top") - top) < 5
    expect(page.get_by_role("button", name="Follow the narration")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(chosen).to_be_focused()


def test_focused_slider_follows_playback_and_arrow_right_seeks_forward(open_page: Any) -> None:
    """Point 5: the slider keeps moving while focused; → seeks on from the current time."""
    page = open_page(**DESKTOP)
    page.evaluate("window.baclovoice.play()")
    page.wait_for_function(PLAYING)
    slider = page.get_by_role("slider", name="Position in section")
    slider.focus()
    at_focus = int(slider.input_value())
    # Not frozen where it was when focus came: it follows the audio (timeupdate, ~4 a second).
    page.wait_for_function(f"() => +document.getElementById('bv-seek').value >= {at_focus + 2}")
    state = "() => [+document.getElementById('bv-seek').value, window.baclovoice.audio.currentTime]"
    value, time = page.evaluate(state)
    assert time - 2 < value <= time
    expect(slider).not_to_have_attribute("aria-valuetext", "0 seconds of 6 seconds")
    before = page.evaluate("window.baclovoice.audio.currentTime")
    page.keyboard.press("ArrowRight")
    after = page.evaluate("window.baclovoice.audio.currentTime")
    assert after > before, (before, after)
    assert after < before + 2


@pytest.mark.parametrize(
    ("condition", "options", "prefs"),
    [
        ("320 px", {"viewport": {"width": 320, "height": 256}}, {}),
        ("200 % zoom", ZOOM_200, {}),
        ("400 % zoom, forced colours", {**ZOOM_400, "forced_colors": "active"}, {}),
        ("phone, text 400 %", PHONE, TEXT_400),
        ("desktop, text 400 %", DESKTOP, TEXT_400),
    ],
)
def test_no_sideways_scrolling_with_every_disclosure_open(
    open_page: Any, condition: str, options: dict[str, Any], prefs: dict[str, str]
) -> None:
    """Point 6 (WCAG 1.4.10) and point 14: everything open, nothing wider than the window; the
    checkbox labels stay beside their boxes; the shortcut list is laid out."""
    page = open_page(prefs=prefs, **options)
    for summary in page.locator("summary").all():
        summary.click()
    page.get_by_label("Word or phrase").fill("anxiety")
    expect(page.locator("#bv-find-r button").first).to_be_visible()
    page.evaluate("window.baclovoice.select(2, {time: 1})")
    assert page.evaluate(NO_SIDEWAYS), condition
    boxes = page.locator("p.bv-check input").all()
    assert len(boxes) == 3  # the legible font, the highlight, the single-key shortcuts
    for box in boxes:
        label = page.locator(f"label[for='{box.get_attribute('id')}']")
        b, lb = box.bounding_box(), label.bounding_box()
        assert b and lb
        assert lb["x"] >= b["x"] + b["width"] and lb["y"] < b["y"] + b["height"], condition
    rows = page.locator("#bv-keys dl div")
    assert rows.count() == 9
    dt, dd = rows.first.locator("dt").bounding_box(), rows.first.locator("dd").bounding_box()
    assert (
        dt and dd and abs(dt["y"] - dd["y"]) < 4 and dd["x"] > dt["x"]
    )  # key and action on a line


def luminance(rgb: bytes | tuple[int, ...]) -> float:
    def channel(c: int) -> float:
        v = c / 255
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: bytes | tuple[int, ...], b: bytes | tuple[int, ...]) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def focus_change(page: Page, selector: str) -> tuple[int, float]:
    """Pixels around the sentence that change by at least 3:1 when it takes keyboard focus,
    and the sentence's perimeter (CSS px at scale factor 1)."""
    el = page.locator(selector)
    page.evaluate(SETTLE)
    box = el.bounding_box()
    assert box
    pad = 12
    clip = {"x": box["x"] - pad, "y": box["y"] - pad}
    clip |= {"width": box["width"] + 2 * pad, "height": box["height"] + 2 * pad}
    page.evaluate("document.activeElement.blur()")
    page.evaluate(SETTLE)
    before = Image.open(io.BytesIO(page.screenshot(clip=clip))).convert("RGB")
    el.focus()  # the sentence is the section's tab stop: Shift+Tab, Tab come back to it
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    expect(el).to_be_focused()
    assert el.bounding_box() == box  # nothing moved: only the focus indicator differs
    after = Image.open(io.BytesIO(page.screenshot(clip=clip))).convert("RGB")
    a, b = before.tobytes(), after.tobytes()
    changed = sum(
        1
        for i in range(0, len(a), 3)
        if a[i : i + 3] != b[i : i + 3] and contrast(a[i : i + 3], b[i : i + 3]) >= 3
    )
    return changed, 2 * (box["width"] + box["height"])


def test_focused_sentence_shows_focus_at_3_to_1_in_every_theme_and_style(open_page: Any) -> None:
    """Points 7 and 8: on the sentence being read, in every theme and highlight style, keyboard
    focus changes at least twice the sentence's perimeter in pixels by 3:1 or more (the measure
    of WCAG 2.4.13); in forced colours the highlight keeps a system-colour fill."""
    page = open_page(**DESKTOP)
    page.evaluate("window.baclovoice.select(1, {time: 3.9})")  # "Panic disorder."
    sentence = "#bv-s2-5"
    assert page.evaluate("document.querySelector('[aria-current=\"true\"]').id") == "bv-s2-5"
    page.locator(sentence).scroll_into_view_if_needed()
    for theme in ("light", "dark", "contrast", "forced colours"):
        forced = theme == "forced colours"
        page.emulate_media(forced_colors="active" if forced else "none")
        if not forced:
            page.evaluate(f"localStorage.setItem('bv-prefs', JSON.stringify({{theme: '{theme}'}}))")
            page.reload()
            page.locator("#bv-player").wait_for()
            page.evaluate("window.baclovoice.select(1, {time: 3.9})")
            page.locator(sentence).scroll_into_view_if_needed()
        for style in ("", "fill", "under"):
            page.evaluate(
                f"""() => {{ const s = document.getElementById('bv-hls');
                s.value = '{style}'; s.dispatchEvent(new Event('change')); }}"""
            )
            changed, perimeter = focus_change(page, sentence)
            assert changed >= 2 * perimeter, (theme, style or "outline", changed, perimeter)
            if forced:  # point 8: a fill, not only a line, in every highlight style
                colours = page.locator(sentence).evaluate(
                    "e => [e, document.body].map((x) => getComputedStyle(x).backgroundColor)"
                )
                assert colours[0] not in ("rgba(0, 0, 0, 0)", colours[1]), style or "outline"


def test_play_pause_anywhere_and_space_on_the_sentence_read_pauses(open_page: Any) -> None:
    """Point 11: K works from the text; Space on the sentence being read pauses, then resumes
    where it paused instead of starting the sentence over."""
    page = open_page(**DESKTOP)
    page.get_by_label("Speed").select_option("0.5")  # this sentence lasts 4 s
    sentence = page.locator("#bv-s3-2")
    start = float(sentence.get_attribute("data-start") or 0)
    sentence.focus()
    page.keyboard.press("Enter")
    page.wait_for_function(f"() => window.baclovoice.audio.currentTime > {start + 0.2}")
    expect(sentence).to_have_attribute("aria-current", "true")
    page.keyboard.press("Space")
    page.wait_for_function("() => window.baclovoice.audio.paused")
    paused_at = page.evaluate("window.baclovoice.audio.currentTime")
    assert paused_at > start + 0.2
    page.keyboard.press("Space")
    page.wait_for_function(PLAYING)
    assert page.evaluate("window.baclovoice.audio.currentTime") >= paused_at
    page.locator("h1").click()  # focus leaves the player and the sentences: K still works
    page.keyboard.press("k")
    page.wait_for_function("() => window.baclovoice.audio.paused")
    page.keyboard.press("k")
    page.wait_for_function(PLAYING)


def test_legible_font_is_shipped_and_used(open_page: Any, base_url: str) -> None:
    """Point 13: Atkinson Hyperlegible comes from this server, and only when chosen."""
    requests: list[str] = []
    page = open_page(**DESKTOP)
    page.on("request", lambda request: requests.append(request.url))
    page.reload()
    page.locator("#bv-player").wait_for()
    assert not [url for url in requests if ".woff2" in url]  # not chosen: not downloaded
    page.get_by_text("Reading preferences").click()
    page.get_by_label("Highly legible font").check()
    page.wait_for_function("document.fonts.ready.then(() => true)")
    page.wait_for_function("() => document.fonts.check('16px \"Atkinson Hyperlegible\"')")
    loaded = page.evaluate(
        "[...document.fonts].filter(f => f.status === 'loaded').map(f => f.family)"
    )
    assert {family.strip('"') for family in loaded} == {"Atkinson Hyperlegible"}
    fonts = [url for url in requests if ".woff2" in url]
    assert fonts and all(url.startswith(base_url + "static/fonts/") for url in fonts)
    assert all(url.startswith(base_url) for url in requests)  # no third-party request
    family = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert family.startswith('"Atkinson Hyperlegible"')


def test_reading_preferences_on_every_page(open_page: Any) -> None:
    """Point 15: the library index offers the preferences, and so do the transcript and error
    pages; a choice made on one page holds on the others."""
    page = open_page("/", **PHONE)
    page.get_by_text("Reading preferences").click()
    page.get_by_label("Text size").select_option(label="200 %")
    page.get_by_label("Colours").select_option(label="Dark")
    for path in ("articles/baclofen-for-anxiety/transcript", "nowhere", PLAYER):
        response = page.goto(path)
        assert response and response.status == (404 if path == "nowhere" else 200)
        if response.ok:  # point 17 as well (an error page is sent as it is)
            assert response.headers["content-encoding"] == "br"
        assert page.evaluate("getComputedStyle(document.documentElement).fontSize") == "32px"
        assert page.evaluate("document.documentElement.dataset.theme") == "dark"
        expect(page.get_by_label("Colours")).to_have_value("dark")
        assert page.evaluate(NO_SIDEWAYS)


def test_sentences_say_they_play_and_the_end_is_announced(open_page: Any) -> None:
    """Point 16: a sentence tab stop is a button named by its text and described by the help;
    the end of the article is announced."""
    page = open_page(**DESKTOP)
    stop = page.locator("#bv-s2-1")
    expect(stop).to_have_role("button")
    expect(stop).to_have_accessible_name("Anxiety Disorders and Treatment Options")
    expect(stop).to_have_accessible_description(
        "Sentences: Tab stops on one per section, arrow keys move to the others. Enter or a "
        "click plays from one, or pauses and resumes the one being read."
    )
    expect(page.locator("#bv-s2-2")).not_to_have_role("button")  # one stop per section
    page.evaluate(f"window.baclovoice.select(2, {{time: {SECONDS - 0.5}, play: true}})")
    expect(page.locator("#bv-status")).to_have_text("End of the article.", timeout=5000)


def test_previous_and_next_sentence_buttons_and_keys(open_page: Any) -> None:
    page = open_page(**PHONE)
    current = "() => document.querySelector('[aria-current=\"true\"]').id"
    page.evaluate("window.baclovoice.select(0, {time: 2.5})")
    first = page.evaluate(current)
    page.get_by_role("button", name="Next sentence").click()
    second = page.evaluate(current)
    assert second != first
    page.get_by_role("button", name="Previous sentence").click()
    assert page.evaluate(current) == first
    page.locator("h1").click()
    page.keyboard.press(".")
    assert page.evaluate(current) == second
    page.keyboard.press(",")
    assert page.evaluate(current) == first
    page.evaluate(f"window.baclovoice.select(0, {{time: {SECONDS - 0.1}}})")
    page.keyboard.press(".")  # over the section's end into the next section
    assert page.evaluate("window.baclovoice.index") == 1
    assert page.evaluate(current) == "bv-s2-1"


def test_find_in_the_article_plays_from_the_chosen_sentence(open_page: Any) -> None:
    page = open_page(**PHONE)
    page.get_by_text("Find in the article").click()
    field = page.get_by_label("Word or phrase")
    field.fill("your doctor")
    results = page.locator("#bv-find-r button")
    expect(results).to_have_count(1)
    expect(results.first).to_have_accessible_name("Section 2: Talk to your doctor.")
    expect(results.first.locator("mark")).to_have_text("your doctor")
    expect(page.locator("#bv-find-n")).to_have_text("1 sentence found.")
    field.fill("zebra")
    field.press("Enter")
    expect(page.locator("#bv-status")).to_have_text("No sentences found.")
    field.fill("disorder")
    expect(results).to_have_count(3)  # the section's title, then two list items
    results.nth(2).click()
    page.wait_for_function(PLAYING)
    expect(page.locator("#bv-s2-5")).to_be_focused()
    expect(page.locator("#bv-s2-5")).to_have_attribute("aria-current", "true")
    page.evaluate(SETTLE)
    assert page.locator("#bv-s2-5").evaluate(IN_VIEW)


def test_highlight_styles_and_sizes(open_page: Any) -> None:
    page = open_page(**DESKTOP)
    page.get_by_text("Reading preferences").click()
    page.evaluate("window.baclovoice.select(1, {time: 1})")
    style = """() => { const s = getComputedStyle(document.querySelector('[aria-current="true"]'));
        return {shadow: s.boxShadow, background: s.backgroundColor,
                line: s.textDecorationLine, thick: s.textDecorationThickness}; }"""
    outline = page.evaluate(style)
    assert "0px 0px 0px 2.25px" in outline["shadow"]  # a ring, .125em of 18 px
    page.get_by_label("Highlight size").select_option(label="Thick")
    assert "0px 0px 0px 6.75px" in page.evaluate(style)["shadow"]
    page.get_by_label("Highlight style").select_option(label="Filled")
    filled = page.evaluate(style)
    assert filled["background"] == "rgb(10, 75, 176)"  # the accent colour, white text
    page.get_by_label("Highlight style").select_option(label="Underline")
    under = page.evaluate(style)
    assert under["line"] == "underline" and under["thick"] == "6.75px"
    assert under["shadow"] == "none"
    page.reload()
    page.locator("#bv-player").wait_for()
    expect(page.get_by_label("Highlight style")).to_have_value("under")
    expect(page.get_by_label("Highlight size")).to_have_value("3")


def test_volume_is_set_and_remembered(open_page: Any) -> None:
    page = open_page(**DESKTOP)
    volume = page.get_by_role("slider", name="Volume")
    volume.focus()
    for _ in range(3):
        page.keyboard.press("ArrowLeft")
    expect(volume).to_have_attribute("aria-valuetext", "70 %")
    assert page.evaluate("window.baclovoice.audio.volume") == pytest.approx(0.7)
    page.reload()
    page.locator("#bv-player").wait_for()
    assert page.evaluate("window.baclovoice.audio.volume") == pytest.approx(0.7)


def test_mini_player_reserves_its_space(open_page: Any) -> None:
    """At the end of the page the last line sits above the mini player, not under it; with
    large text the mini player stays small."""
    for options, prefs in ((ZOOM_400, {}), (DESKTOP, TEXT_400)):
        page = open_page(prefs=prefs, **options)
        mini = page.locator("#bv-mini").bounding_box()
        assert mini and mini["height"] <= 64
        page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
        page.evaluate(SETTLE)
        last = page.locator("footer p").last.bounding_box()
        assert last and last["y"] + last["height"] <= mini["y"] + 1


def test_axe_best_practice_in_every_theme_mid_playback_with_everything_open(
    open_page: Any,
) -> None:
    """WCAG 2.2 AA and best practice at phone size, while playing, with every disclosure open,
    find results listed and a sentence highlighted, in each theme; the index too."""
    page = open_page(viewport=PHONE["viewport"])  # scale factor 1: the same layout, less to paint
    for summary in page.locator("summary").all():
        summary.click()
    page.get_by_label("Word or phrase").fill("anxiety")
    page.evaluate("window.baclovoice.select(1, {time: 1, play: true})")
    page.wait_for_function(PLAYING)
    options = {"runOnly": {"type": "tag", "values": [*WCAG_TAGS, "best-practice"]}}
    for theme in ("light", "dark", "contrast"):
        page.get_by_label("Colours").select_option(theme)
        results = Axe().run(page, options=options)
        assert results.violations_count == 0, (theme, results.generate_report())
    page.goto("/")
    page.get_by_text("Reading preferences").click()
    results = Axe().run(page, options=options)
    assert results.violations_count == 0, results.generate_report()

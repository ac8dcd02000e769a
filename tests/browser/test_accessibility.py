"""axe-core and the visual rules axe cannot check: reflow, text spacing, target size, motion."""

from __future__ import annotations

from typing import Literal

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from tests.browser.conftest import ContextFactory

PLAYER = "articles/baclofen-for-anxiety/"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

# The WCAG 1.4.12 text-spacing bookmarklet's rules.
TEXT_SPACING = """
* { line-height: 1.5 !important; letter-spacing: 0.12em !important;
    word-spacing: 0.16em !important; }
p { margin-bottom: 2em !important; }
"""

# Elements whose content would be cut off if they clipped: none may overflow.
CLIPPED = """() => Array.from(document.querySelectorAll(
    'button, a, label, select, summary, h1, h2, h3, p, li, #bv-clock'))
  .filter((el) => el.offsetParent !== null && !el.closest('.bv-vh'))
  .filter((el) => el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1)
  .filter((el) => getComputedStyle(el).overflow !== 'visible')
  .map((el) => el.id || el.outerHTML.slice(0, 80))"""

NO_HORIZONTAL_SCROLL = (
    "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
)


def axe_violations(page: Page) -> str:
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    return "" if results.violations_count == 0 else results.generate_report()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", ["", PLAYER])
def test_axe_finds_no_violations(page: Page, path: str, scheme: Literal["light", "dark"]) -> None:
    page.emulate_media(color_scheme=scheme)
    page.goto(path)
    if path:
        page.wait_for_selector("#bv-player", state="visible")  # the script has taken over
    assert axe_violations(page) == ""


def test_axe_without_the_player_script(new_context: ContextFactory) -> None:
    """The native players that work without JS are just as clean (axe itself needs JS,
    so the page's own script is blocked instead of JS as a whole)."""
    context = new_context()
    context.route("**/player.js*", lambda route: route.abort())
    page = context.new_page()
    page.goto(PLAYER)
    assert page.locator("#bv-player").is_hidden()
    assert page.locator("audio.bv-native").count() == 3
    assert page.locator("audio.bv-native").first.is_visible()
    assert axe_violations(page) == ""


@pytest.mark.parametrize("path", ["", PLAYER])
def test_reflow_at_320_px(new_context: ContextFactory, path: str) -> None:
    """320 CSS px is 1280 px at 400 % zoom: no horizontal scrolling, even with wide spacing."""
    page = new_context(viewport={"width": 320, "height": 256}, bypass_csp=True).new_page()
    page.goto(path)
    assert page.evaluate(NO_HORIZONTAL_SCROLL)
    page.add_style_tag(content=TEXT_SPACING)
    assert page.evaluate(NO_HORIZONTAL_SCROLL)
    assert page.evaluate(CLIPPED) == []


def test_text_spacing_clips_nothing_on_desktop(new_context: ContextFactory) -> None:
    page = new_context(bypass_csp=True).new_page()  # the override is an inline style
    page.goto(PLAYER)
    page.locator("#bv-player").wait_for()
    page.add_style_tag(content=TEXT_SPACING)
    assert page.evaluate(CLIPPED) == []


def test_player_controls_are_at_least_44_px(page: Page) -> None:
    page.goto(PLAYER)
    controls = page.locator(
        "#bv-player button, #bv-player select, #bv-player input, #bv-mini button, .bv-here, "
        "#bv-keys summary"
    )
    page.locator("#bv-keys summary").wait_for()
    # 5 buttons, slider, speed, volume, 6 in the mini player, 3 × play from here, help
    assert controls.count() == 18
    for i in range(controls.count()):
        box = controls.nth(i).bounding_box()
        assert box is not None
        name = controls.nth(i).evaluate("el => el.id || el.textContent")
        assert box["height"] >= 44, name
        assert box["width"] >= 44, name


def test_a_focused_link_shows_a_solid_outline(page: Page) -> None:
    """WCAG 2.4.7. That focus is never hidden under the mini player (2.4.11) is
    test_low_vision.py::test_tab_never_puts_focus_under_the_mini_player."""
    page.goto(PLAYER)
    page.locator("#bv-player").wait_for()
    link = page.locator("#bv-section-3 .bv-download")
    link.focus()
    style = link.evaluate(
        "el => getComputedStyle(el).outlineStyle + ' ' + getComputedStyle(el).outlineWidth"
    )
    assert style.startswith("solid") and not style.endswith(" 0px")


def test_reduced_motion_turns_off_smooth_scrolling(page: Page) -> None:
    page.emulate_media(reduced_motion="reduce")
    page.goto(PLAYER)
    assert page.evaluate("getComputedStyle(document.documentElement).scrollBehavior") == "auto"
    page.emulate_media(reduced_motion="no-preference")
    assert page.evaluate("getComputedStyle(document.documentElement).scrollBehavior") == "smooth"


def test_forced_colors_keep_controls_outlined(page: Page) -> None:
    page.emulate_media(forced_colors="active")
    page.goto(PLAYER)
    page.locator("#bv-player").wait_for()
    for selector in ("#bv-play", "#bv-next", "#bv-speed"):
        border = page.locator(selector).evaluate(
            "el => [getComputedStyle(el).borderTopStyle, getComputedStyle(el).borderTopWidth]"
        )
        assert border[0] in ("solid", "dashed") and border[1] != "0px", selector

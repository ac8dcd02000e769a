"""The player bar driven like a listener would: keyboard first, nothing playing by itself."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, Request, expect

from tests.browser.conftest import SECONDS

PLAYER = "articles/baclofen-for-anxiety/"
PLAYING = "() => !window.baclovoice.audio.paused && window.baclovoice.audio.currentTime > 0.3"


def open_player(page: Page) -> None:
    page.goto(PLAYER)
    page.locator("#bv-player").wait_for()


def audio_state(page: Page) -> dict[str, Any]:
    return page.evaluate(
        """() => { const a = window.baclovoice.audio;
        return {paused: a.paused, time: a.currentTime, src: a.currentSrc || a.src,
                rate: a.playbackRate, pitch: a.preservesPitch, index: window.baclovoice.index}; }"""
    )


def test_nothing_plays_or_downloads_on_load(page: Page) -> None:
    audio_requests: list[str] = []

    def on_request(request: Request) -> None:
        if ".mp3" in request.url:
            audio_requests.append(request.url)

    page.on("request", on_request)
    open_player(page)
    page.wait_for_timeout(1000)
    everything_paused = page.evaluate(
        "Array.from(document.querySelectorAll('audio')).every(a => a.paused && a.currentTime === 0)"
    )
    assert everything_paused
    assert audio_requests == []
    assert page.locator("audio.bv-native").first.is_hidden()  # the bar took over
    expect(page.locator("#bv-play")).to_have_text("Play")


def test_tab_reaches_play_and_enter_starts_playback(page: Page) -> None:
    open_player(page)
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "bv-play":
            break
    else:
        raise AssertionError("Tab never reached the Play button")
    page.keyboard.press("Enter")
    page.wait_for_function(PLAYING, timeout=5000)
    first = audio_state(page)["time"]
    page.wait_for_timeout(500)
    assert audio_state(page)["time"] > first  # time advances
    expect(page.locator("#bv-play")).to_have_accessible_name("Pause")
    page.keyboard.press("Space")
    page.wait_for_function("() => window.baclovoice.audio.paused")
    expect(page.locator("#bv-play")).to_have_accessible_name("Play")


def test_next_section_moves_to_section_2_and_announces_it(page: Page) -> None:
    open_player(page)
    expect(page.locator("#bv-prev")).to_have_attribute("aria-disabled", "true")
    page.locator("#bv-play").click()
    page.wait_for_function(PLAYING)
    page.locator("#bv-next").click()
    expect(page.locator("#bv-now")).to_have_text(
        "Section 2 of 3: Anxiety Disorders and Treatment Options"
    )
    expect(page.locator("#bv-status")).to_have_text(
        "Section 2 of 3: Anxiety Disorders and Treatment Options"
    )
    expect(page.locator("#bv-section-2")).to_have_class("bv-section bv-current")
    expect(page.locator("#bv-prev")).to_have_attribute("aria-disabled", "false")
    page.wait_for_function(PLAYING)  # it keeps playing, now section 2
    assert "/sections/2.mp3" in str(audio_state(page)["src"])


def test_playback_continues_into_the_next_section(page: Page) -> None:
    open_player(page)
    page.locator("#bv-play").click()
    page.wait_for_function(PLAYING)
    page.evaluate(f"window.baclovoice.seek({SECONDS - 0.5})")
    page.wait_for_function("() => window.baclovoice.index === 1", timeout=5000)
    page.wait_for_function(PLAYING, timeout=5000)
    expect(page.locator("#bv-status")).to_have_text(
        "Section 2 of 3: Anxiety Disorders and Treatment Options"
    )


def test_play_from_here_starts_that_section(page: Page) -> None:
    open_player(page)
    button = page.get_by_role(
        "button", name="Play from here: section 3, Baclofen's Potential for Treating Anxiety"
    )
    expect(button).to_have_text("Play from here")  # the visible label starts the name
    expect(page.locator(".bv-here")).to_have_count(3)  # one per section, made by player.js
    button.click()
    page.wait_for_function(PLAYING)
    assert "/sections/3.mp3" in str(audio_state(page)["src"])
    expect(page.locator("#bv-now")).to_contain_text("Section 3 of 3")
    expect(page.locator("#bv-next")).to_have_attribute("aria-disabled", "true")


def test_seek_slider_speaks_position_on_seek(page: Page) -> None:
    open_player(page)
    slider = page.get_by_role("slider", name="Position in section")
    expect(slider).to_have_attribute("aria-valuetext", "0 seconds of 6 seconds")
    slider.focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    expect(slider).to_have_attribute("aria-valuetext", "3 seconds of 6 seconds")
    expect(page.locator("#bv-clock")).to_have_text("0:03 / 0:06")
    page.locator("#bv-back").click()
    expect(slider).to_have_attribute("aria-valuetext", "0 seconds of 6 seconds")


def test_speed_changes_rate_and_keeps_pitch(page: Page) -> None:
    open_player(page)
    page.get_by_label("Speed").select_option("1.5")
    page.locator("#bv-play").click()
    page.wait_for_function(PLAYING)
    state = audio_state(page)
    assert state["rate"] == 1.5 and state["pitch"] is True
    page.reload()  # the choice is remembered on this device
    page.locator("#bv-player").wait_for()
    expect(page.get_by_label("Speed")).to_have_value("1.5")


def test_single_key_shortcuts_work_anywhere_but_in_fields_and_can_be_switched_off(
    page: Page,
) -> None:
    open_player(page)
    page.locator("h1").click()
    page.keyboard.press("k")  # focus in the text, not in the player: play/pause works too
    page.wait_for_function(PLAYING)
    page.keyboard.press("k")
    page.wait_for_function("() => window.baclovoice.audio.paused")

    page.locator("#bv-fwd").focus()
    page.keyboard.press("n")
    expect(page.locator("#bv-now")).to_contain_text("Section 2 of 3")

    page.get_by_text("Find in the article").click()
    field = page.get_by_label("Word or phrase")
    field.press_sequentially("kn")  # letters typed into a field are text, not shortcuts
    expect(field).to_have_value("kn")
    assert audio_state(page)["paused"] is True
    expect(page.locator("#bv-now")).to_contain_text("Section 2 of 3")

    page.locator("#bv-keys summary").click()
    page.get_by_label("Use single-key shortcuts").uncheck()
    page.locator("#bv-fwd").focus()
    page.keyboard.press("p")
    page.keyboard.press("k")
    page.wait_for_timeout(200)
    expect(page.locator("#bv-now")).to_contain_text("Section 2 of 3")
    assert audio_state(page)["paused"] is True

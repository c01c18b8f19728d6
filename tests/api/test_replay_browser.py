"""The replay page in a real headless Chromium: audio from the second asked, its line lit, for
staff (opened from a ticket) and for the room's viewers (opened from the chat)."""

from __future__ import annotations

import numpy as np
import pytest

from api.deps import get_archive
from copilot.runtime import Copilot
from tests.api.browser_sessions import screenshot, sign_in_staff, sign_in_viewer
from tests.api.conftest import CHROMIUM_ARGS, UI_TIMEOUT_MS, require_chromium
from tests.conftest import new_room
from transcripts.archive import SAMPLE_RATE

require_chromium()

from playwright.sync_api import Page, expect  # noqa: E402

RECORDED_FROM_S, RECORDED_S = 20, 20  # the mini transcript's lines at 20-32 and 32-45 s
CHUNK_S = 0.5
# The stream second the page is at: where the audio's position puts it on the stream clock.
STREAM_SECOND = (
    "() => { const a = document.getElementById('audio');"
    " return a.readyState >= 1 ? Number(a.dataset.start) + a.currentTime : null; }"
)


@pytest.fixture(scope="module")
def chromium_args() -> list[str]:
    """Let the test start playback without a click."""
    return [*CHROMIUM_ARGS, "--autoplay-policy=no-user-gesture-required", "--mute-audio"]


def record_tone(copilot: Copilot, room: str) -> None:
    """A 440 Hz tone with some noise, appended in chunks as the live stream would."""
    seconds = np.arange(RECORDED_S * SAMPLE_RATE) / SAMPLE_RATE
    noise = np.random.default_rng(0).normal(0, 0.05, seconds.size)
    samples = (8000 * (np.sin(2 * np.pi * 440 * seconds) + noise)).astype("<i2")
    step = round(CHUNK_S * SAMPLE_RATE)
    archive = get_archive(copilot)
    for offset in range(0, samples.size, step):
        start = RECORDED_FROM_S + offset / SAMPLE_RATE
        archive.append(room, start, samples[offset : offset + step].tobytes())


def stream_second(page: Page, near: float) -> float:
    """Wait until the audio is loaded and positioned near a stream second, and return it."""
    page.wait_for_function(
        f"() => {{ const s = ({STREAM_SECOND})(); return s !== null && Math.abs(s - {near}) < 1; }}"
    )
    second: float = page.evaluate(f"({STREAM_SECOND})()")
    return second


def test_replay_plays_from_the_second_with_its_line_highlighted(
    page: Page, base_url: str, sqlite_copilot: Copilot
) -> None:
    expect.set_options(timeout=UI_TIMEOUT_MS)
    room = new_room(sqlite_copilot)
    record_tone(sqlite_copilot, room)
    sign_in_staff(page, base_url, sqlite_copilot, "agent")

    page.goto(f"{base_url}/replay/{room}?t=25")
    expect(page.locator("#room-name")).to_have_text(room)
    expect(page.locator("#session-role")).to_contain_text("agent")
    current = page.locator("#lines .line.current")
    expect(current).to_have_count(1)
    expect(current).to_have_attribute("data-start", "20")
    expect(current).to_contain_text("0:20")
    expect(current).to_contain_text("这款直播间只要128元")
    expect(page.locator("#lines .line").first).to_contain_text("欢迎来到直播间")  # from t-120
    assert stream_second(page, 25) == pytest.approx(25, abs=0.05)
    expect(page.locator("#no-recording")).to_be_hidden()
    expect(page.locator("#clip")).to_contain_text("0:20–0:40")  # the player counts from 0:20

    page.evaluate("() => document.getElementById('audio').play()")
    page.wait_for_function(f"() => ({STREAM_SECOND})() > 25.5")  # it plays on from there
    expect(current).to_have_attribute("data-start", "20")
    expect(page.locator("#now")).to_have_text("0:25")
    screenshot(page, "page-replay.png")

    # Clicking a line seeks to it, and the highlight follows playback.
    page.locator('#lines .line[data-start="32"] button').click()
    assert stream_second(page, 32) == pytest.approx(32, abs=0.6)
    expect(current).to_have_attribute("data-start", "32")
    expect(current).to_have_attribute("aria-current", "true")


def test_replay_without_a_recording_still_shows_the_transcript(
    page: Page, base_url: str, sqlite_copilot: Copilot
) -> None:
    room = new_room(sqlite_copilot)
    sign_in_staff(page, base_url, sqlite_copilot, "host", room_id=room)
    page.goto(f"{base_url}/replay/{room}?t=50")
    notice = page.locator("#no-recording")
    expect(notice).to_be_visible(timeout=UI_TIMEOUT_MS)
    expect(notice).to_contain_text("没有录音")
    expect(notice).to_contain_text("no recording")
    expect(page.locator("#audio")).to_be_hidden()
    current = page.locator("#lines .line.current")
    expect(current).to_have_attribute("data-start", "45")
    expect(current).to_contain_text("0:45")
    expect(page.locator("#now")).to_have_text("0:50")


def test_replay_after_the_recording_ends_says_so(
    page: Page, base_url: str, sqlite_copilot: Copilot
) -> None:
    room = new_room(sqlite_copilot)
    record_tone(sqlite_copilot, room)
    sign_in_staff(page, base_url, sqlite_copilot, "supervisor")
    page.goto(f"{base_url}/replay/{room}?t=90")
    notice = page.locator("#no-recording")
    expect(notice).to_contain_text("0:20–0:40", timeout=UI_TIMEOUT_MS)
    expect(page.locator("#lines .line.current")).to_have_attribute("data-start", "84")


def test_replay_plays_for_the_rooms_viewer(
    page: Page, base_url: str, sqlite_copilot: Copilot
) -> None:
    expect.set_options(timeout=UI_TIMEOUT_MS)
    room = new_room(sqlite_copilot)
    record_tone(sqlite_copilot, room)
    sign_in_viewer(page, base_url, sqlite_copilot, room, "alice")  # what the chat page kept
    page.goto(f"{base_url}/replay/{room}?t=33")
    expect(page.locator("#session-viewer")).to_have_text("已登录 Signed in")  # never the id
    expect(page.locator("#login-form")).to_have_count(0)
    expect(page.locator("#lines .line.current")).to_have_attribute("data-start", "32")
    assert stream_second(page, 33) == pytest.approx(33, abs=0.05)
    # The element loads the audio itself, so the session rides in ?token= (no header possible).
    assert "token=" in page.eval_on_selector("#audio", "a => a.src")
    page.evaluate("() => document.getElementById('audio').play()")
    page.wait_for_function(f"() => ({STREAM_SECOND})() > 33.5")


def test_replay_without_a_session_asks_staff_to_log_in(
    page: Page, base_url: str, sqlite_copilot: Copilot
) -> None:
    room = new_room(sqlite_copilot)
    other = new_room(sqlite_copilot)
    sign_in_viewer(page, base_url, sqlite_copilot, other, "alice")  # another room's viewer
    page.goto(f"{base_url}/replay/{room}?t=25")
    expect(page.locator("#login-form")).to_be_visible(timeout=UI_TIMEOUT_MS)
    expect(page.locator("#lines")).to_be_hidden()
    expect(page.locator("#audio")).to_be_hidden()

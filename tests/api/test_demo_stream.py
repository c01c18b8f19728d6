"""The demo's live host: spoken lines sent over a real WebSocket to the real app under uvicorn,
stored in the room's transcript and shown, as they come, on the host panel in Chromium."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from api.app import create_app
from copilot.demo_stream import (
    StreamRefused,
    StreamReport,
    demo_host_audio,
    stream_wav,
)
from copilot.runtime import Copilot
from evals.host_script import espeak_available
from tests.api.browser_sessions import serve, sign_in_staff
from tests.api.conftest import CHROMIUM, UI_TIMEOUT_MS
from tests.conftest import bearer, new_room, token

if TYPE_CHECKING:
    from playwright.sync_api import Page

if not espeak_available():
    pytest.skip("espeak-ng is not installed (scripts/services.sh)", allow_module_level=True)

# Short lines about the mini catalog's English product; a comment line is not spoken.
SCRIPT = (
    "# a test script\n"
    "Next up is the Bamboo Travel Mug, and today it is only 69.\n"
    "\n"
    "The first 20 orders get a free tea strainer as a gift.\n"
)
LATER_SCRIPT = "Thank you for watching, and see you tomorrow night.\n"


@pytest.fixture(scope="module")
def base_url(sqlite_copilot: Copilot) -> Iterator[str]:
    """The real app under uvicorn with its WebSocket support (the pages' fixture turns it off)."""
    with serve(create_app(copilot=sqlite_copilot)) as url:
        yield url


def _speak(folder: Path, text: str) -> Path:
    script = folder / "script.txt"
    script.write_text(text, "utf-8")
    audio = demo_host_audio(folder / "cache", script)
    assert audio is not None
    return audio


@pytest.fixture(scope="module")
def streamed(
    base_url: str, sqlite_copilot: Copilot, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, float, StreamReport, list[dict[str, Any]], float]:
    """A mini room after the script was streamed at real-time pace: the room, where its
    transcript ended before, the report, every server message and the wall time taken."""
    room = new_room(sqlite_copilot)
    admin = bearer(sqlite_copilot)
    transcript_end = httpx.get(f"{base_url}/v1/rooms/{room}", headers=admin).json()[
        "transcript_end"
    ]
    audio = _speak(tmp_path_factory.mktemp("host"), SCRIPT)
    messages: list[dict[str, Any]] = []
    started = time.monotonic()
    host = token(sqlite_copilot, "host", room_id=room)  # the room's host streams their voice
    report = stream_wav(
        base_url, room, audio, realtime=True, on_message=messages.append, token=host
    )
    return room, transcript_end, report, messages, time.monotonic() - started


def test_the_script_is_spoken_once_per_text(tmp_path: Path) -> None:
    first = _speak(tmp_path, SCRIPT)
    made = first.stat().st_mtime_ns
    assert _speak(tmp_path, SCRIPT) == first and first.stat().st_mtime_ns == made
    assert _speak(tmp_path, LATER_SCRIPT) != first
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == sorted(
        [first.name, _speak(tmp_path, LATER_SCRIPT).name]
    )  # no partial files left behind


def test_stream_is_paced_recognised_and_stored(
    base_url: str,
    sqlite_copilot: Copilot,
    streamed: tuple[str, float, StreamReport, list[dict[str, Any]], float],
) -> None:
    room, transcript_end, report, messages, wall = streamed
    kinds = [m["type"] for m in messages]
    assert kinds[0] == "ready" and kinds[-1] == "stopped"
    # The stream carries on the room's clock after the loaded transcript.
    assert report.clock_start == pytest.approx(transcript_end, abs=0.01)
    acks = [m for m in messages if m["type"] == "ack"]
    audio_s = acks[-1]["received"] - report.clock_start
    assert wall >= audio_s - 0.2  # sent as it would be spoken, not as fast as possible
    assert len(acks) == round(audio_s / 0.1 + 0.49)  # 100 ms frames

    words = " ".join(s.text for s in report.segments).lower()
    # Words Whisper gets back from espeak-ng every time; "strainer" and "gift" come and go.
    assert all(w in words for w in ("bamboo travel mug", "69", "orders")), words
    assert all(s.start >= report.clock_start for s in report.segments)
    assert report.metrics["real_time_factor"] > 0

    stored = httpx.get(
        f"{base_url}/v1/rooms/{room}/transcript",
        params={"start": report.clock_start},
        headers=bearer(sqlite_copilot),
    ).json()
    # The loaded segment that ends where the stream starts overlaps the range too.
    live = [s["text"] for s in stored if s["start"] >= report.clock_start]
    assert live == [s.text for s in report.segments]


def test_a_file_sent_at_full_speed_waits_for_credit(
    base_url: str, sqlite_copilot: Copilot, tmp_path: Path
) -> None:
    room = new_room(sqlite_copilot)
    messages: list[dict[str, Any]] = []
    report = stream_wav(
        base_url,
        room,
        _speak(tmp_path, SCRIPT),
        realtime=False,
        on_message=messages.append,
        token=token(sqlite_copilot, "admin"),
    )
    max_lag = messages[0]["max_lag"]
    lags = [m["lag"] for m in messages if m["type"] == "ack"]
    # All 12 s would be waiting at once without credit; the 100 ms frames that ask for a fresh
    # ack while the server decodes overshoot a little.
    assert max(lags) <= max_lag + 1.0, max(lags)
    assert report.metrics["skipped_seconds"] == 0
    assert "bamboo travel mug" in " ".join(s.text for s in report.segments).lower()


def test_refusals_are_reported(base_url: str, sqlite_copilot: Copilot, tmp_path: Path) -> None:
    audio = _speak(tmp_path, LATER_SCRIPT)
    admin = token(sqlite_copilot, "admin")
    with pytest.raises(StreamRefused, match="unknown room"):
        stream_wav(base_url, "no-such-room", audio, realtime=False, token=admin)
    room = new_room(sqlite_copilot)
    with pytest.raises(StreamRefused):  # nobody streams into a room without a token
        stream_wav(base_url, room, audio, realtime=False)
    with pytest.raises(StreamRefused):  # nor as the host of another room
        stream_wav(
            base_url, room, audio, realtime=False, token=token(sqlite_copilot, "host", room_id="x")
        )
    with pytest.raises(StreamRefused, match="cannot open"):
        stream_wav("http://127.0.0.1:9", "demo", audio, realtime=False)  # nothing listens


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")
def test_host_panel_shows_the_transcript_grow(
    page: Page,
    base_url: str,
    sqlite_copilot: Copilot,
    tmp_path: Path,
    streamed: tuple[str, float, StreamReport, list[dict[str, Any]], float],
) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=UI_TIMEOUT_MS)
    room, _, report, _, _ = streamed
    sign_in_staff(page, base_url, sqlite_copilot, "host", room_id=room)  # the room's host
    page.goto(f"{base_url}/rooms/{room}/host")
    lines = page.locator("#transcript li")
    last = report.segments[-1]
    expect(lines.last).to_contain_text(last.text)
    expect(lines.last.locator("a")).to_have_attribute("href", f"/replay/{room}?t={int(last.start)}")
    expect(page.locator("#products")).to_contain_text("Bamboo Travel Mug")  # the rest still works

    # More of the stream while the page is open: the new line appears at the bottom.
    host = token(sqlite_copilot, "host", room_id=room)
    later = stream_wav(base_url, room, _speak(tmp_path, LATER_SCRIPT), realtime=False, token=host)
    assert later.segments and later.clock_start >= last.end
    expect(lines.last).to_contain_text(later.segments[-1].text)
    expect(lines.last).to_have_class("fresh")
    link = lines.last.locator("a")
    expect(link).to_have_attribute("href", f"/replay/{room}?t={int(later.segments[-1].start)}")
    page.screenshot(path="/tmp/page-host-live.png", full_page=True)
    link.click()  # the link replays that moment: its line, and the host's recorded voice
    expect(page.locator("#lines")).to_contain_text(later.segments[-1].text)
    expect(page.locator("#audio")).to_be_visible()

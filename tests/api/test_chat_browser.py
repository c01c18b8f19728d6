"""The viewer chat as a live two-way thread in a real headless Chromium against the real app:
an agent's reply arrives on the page as it is stored, notes never do, the thread survives a
reload, a resolved ticket is rated, "talk to a person" opens a ticket, and a spoken question
(Chromium's fake microphone playing a real recording) is transcribed and answered."""

from __future__ import annotations

import os
import re
import time
import wave
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from copilot.accounts.models import Role
from copilot.answer import GroundedComposer
from copilot.runtime import Copilot
from evals.speech_data import F5, ZH_CLIP, librivox_clips
from tests.api.browser_sessions import screenshot, sign_in_viewer
from tests.api.conftest import CHROMIUM, CHROMIUM_ARGS, UI_TIMEOUT_MS, require_chromium
from tests.api.test_desk import DAMAGED, staff_headers
from tests.conftest import bearer, new_room
from tests.scripted_llm import llm_composer, scripted_endpoint

require_chromium()

from playwright.sync_api import Browser, Page, expect  # noqa: E402

SPEECH_DIR = Path(
    os.environ.get("COPILOT_TEST_SPEECH_DIR", Path(__file__).parents[2] / "var" / "speech")
)
VIEWER = "alice"
AGENT_REPLY = "亲，麻烦拍一下破损的照片发给我"
NOTE = "INTERNAL: 疑似快递压坏，找顺丰理赔"
DELIVERY_S = 1.0  # from the agent's POST returning to the reply on the viewer's page
FIRST_ANSWER_MS = 60_000  # the module's first question also warms the models on a busy machine
API_TIMEOUT_S = 60.0
RECORD_S = 4.0


def speech_clip() -> Path | None:
    """A real recording for the fake microphone (`make speech`), or None when absent."""
    candidates = [SPEECH_DIR / F5 / ZH_CLIP, *librivox_clips(SPEECH_DIR)]
    return next((path for path in candidates if path.is_file()), None)


@pytest.fixture(scope="module")
def chromium_args() -> list[str]:
    """Chromium with a fake microphone that plays a real recording, granted without a prompt."""
    args = [*CHROMIUM_ARGS, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]
    clip = speech_clip()
    if clip is not None:
        args.append(f"--use-file-for-fake-audio-capture={clip}")
    return args


@pytest.fixture(autouse=True)
def _timeouts() -> None:
    expect.set_options(timeout=UI_TIMEOUT_MS)


@pytest.fixture
def room(sqlite_copilot: Copilot) -> str:
    return new_room(sqlite_copilot)


@pytest.fixture
def agent(base_url: str, sqlite_copilot: Copilot) -> Iterator[httpx.Client]:
    """A real agent account's API client."""
    _, headers = staff_headers(sqlite_copilot, Role.agent)
    with httpx.Client(base_url=base_url, headers=headers, timeout=API_TIMEOUT_S) as client:
        yield client


def open_chat(page: Page, base_url: str, copilot: Copilot, room: str) -> None:
    """The chat page with the viewer's session, ready to send."""
    sign_in_viewer(page, base_url, copilot, room, VIEWER)
    page.goto(f"{base_url}/rooms/{room}/chat")
    expect(page.locator("#send")).to_be_enabled()


def ask(page: Page, text: str) -> None:
    page.fill("#message", text)
    page.click("#send")


def thread(page: Page) -> list[tuple[str, str]]:
    """The stored messages on the page: (data-id, role class) in order."""
    return [
        (node.get_attribute("data-id") or "", (node.get_attribute("class") or "").split()[1])
        for node in page.locator("#log .msg[data-id]").all()
    ]


def test_the_page_has_no_developer_fields(
    page: Page, base_url: str, sqlite_copilot: Copilot, room: str
) -> None:
    open_chat(page, base_url, sqlite_copilot, room)
    expect(page.locator("#at")).to_have_count(0)
    expect(page.get_by_text(re.compile("直播秒数|Stream second", re.I))).to_have_count(0)
    expect(page.locator("#session-viewer")).to_have_text("已登录 Signed in")
    assert VIEWER not in page.locator("body").inner_text()
    for selector in ("#voice", "#talk-to-person", "#message"):
        expect(page.locator(selector)).to_be_visible()
    expect(page.locator("#log")).to_have_attribute("aria-live", "polite")
    page.set_viewport_size({"width": 390, "height": 760})  # a phone, where shoppers are
    screenshot(page, "chat-thread-empty-phone.png")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px wide)"


def test_agent_replies_arrive_live_notes_never_and_the_thread_is_rated(
    page: Page, base_url: str, sqlite_copilot: Copilot, room: str, agent: httpx.Client
) -> None:
    open_chat(page, base_url, sqlite_copilot, room)
    ask(page, DAMAGED)
    escalation = page.locator("#log .msg.copilot.escalated")
    expect(escalation).to_contain_text("照片", timeout=FIRST_ANSWER_MS)
    expect(escalation).to_have_attribute("data-id", re.compile(r"^\d+$"))  # merged with the stream
    chip = escalation.locator(".ticket-id")
    expect(chip).to_have_text(re.compile(r"ticket #[0-9a-z]+$"))
    ticket_id = chip.inner_text().rsplit("#", 1)[1]
    expect(page.locator("#log .msg.viewer")).to_have_text([re.compile(DAMAGED)])
    expect(page.locator("#log .msg")).to_have_count(2)  # the question and the answer, once each
    expect(page.locator("#log .pending")).to_have_count(0)

    reply = agent.post(
        f"/v1/tickets/{ticket_id}/messages", json={"text": AGENT_REPLY, "internal": False}
    )
    posted = time.monotonic()
    assert reply.status_code == 201, reply.text
    page.wait_for_selector(f'#log .msg.agent[data-id="{reply.json()["id"]}"]', timeout=10_000)
    delivered = time.monotonic() - posted
    assert delivered <= DELIVERY_S, f"the agent's reply took {delivered:.2f} s to reach the page"
    answer = page.locator("#log .msg.agent")
    expect(answer).to_contain_text(AGENT_REPLY)
    expect(answer.locator(".who")).to_have_text("客服 Agent")
    expect(page.locator("#agent-status")).to_have_text("客服已接入 An agent is with you")
    expect(page.locator("#talk-to-person")).to_be_hidden()  # a person already has the thread

    # A note, then a second reply: once the reply is here the note would have been too.
    note = agent.post(f"/v1/tickets/{ticket_id}/messages", json={"text": NOTE, "internal": True})
    assert note.status_code == 201, note.text
    again = agent.post(
        f"/v1/tickets/{ticket_id}/messages", json={"text": "收到后马上为您处理", "internal": False}
    )
    assert again.status_code == 201, again.text
    expect(page.locator("#log .msg.agent")).to_have_count(2)
    assert "INTERNAL" not in page.locator("#log").inner_text()
    screenshot(page, "chat-thread-agent.png")

    page.reload()
    expect(page.locator("#log .msg[data-id]")).to_have_count(4)
    stored = thread(page)
    assert [role for _, role in stored] == ["viewer", "copilot", "agent", "agent"]
    assert len({message_id for message_id, _ in stored}) == 4  # no duplicates
    expect(page.locator("#log .msg")).to_have_count(4)
    expect(page.locator("#log .msg.copilot .ticket-id")).to_have_text(
        f"人工工单 ticket #{ticket_id}"
    )
    assert "INTERNAL" not in page.locator("#log").inner_text()
    expect(page.locator("#agent-status")).to_be_visible()

    resolved = agent.patch(f"/v1/tickets/{ticket_id}", json={"status": "resolved"})
    assert resolved.status_code == 200, resolved.text
    five = page.locator('#rating button[data-score="5"]')
    expect(five).to_be_visible()
    expect(page.locator("#rating button")).to_have_count(5)
    expect(page.locator("#agent-status")).to_be_hidden()
    screenshot(page, "chat-thread-rating.png")
    five.click()
    expect(page.locator(".rating-area .thanks")).to_contain_text("Thank you")
    expect(page.locator("#rating-given")).to_contain_text("5/5")
    expect(page.locator("#rating")).to_have_count(0)
    assert agent.get(f"/v1/tickets/{ticket_id}").json()["csat"] == 5
    screenshot(page, "chat-thread-rated.png")

    page.reload()  # rated already: the given rating, not the buttons
    expect(page.locator("#rating-given")).to_contain_text("5/5")
    expect(page.locator("#rating")).to_have_count(0)
    expect(page.locator("#log .msg[data-id]")).to_have_count(5)
    page.set_viewport_size({"width": 390, "height": 760})
    screenshot(page, "chat-thread-phone.png")


def test_talk_to_a_person_opens_a_ticket(
    page: Page, base_url: str, sqlite_copilot: Copilot, room: str
) -> None:
    open_chat(page, base_url, sqlite_copilot, room)
    page.click("#talk-to-person")
    expect(page.locator("#log .msg.viewer")).to_have_text([re.compile("转人工客服")])
    handed = page.locator("#log .msg.copilot")
    expect(handed).to_contain_text("转接人工客服", timeout=FIRST_ANSWER_MS)
    expect(handed).to_have_attribute("data-id", re.compile(r"^\d+$"))
    expect(page.locator("#log .msg")).to_have_count(2)
    tickets = httpx.get(
        f"{base_url}/v1/tickets?room={room}", headers=bearer(sqlite_copilot), timeout=API_TIMEOUT_S
    ).json()
    assert [t["viewer_id"] for t in tickets] == [VIEWER]
    expect(handed.locator(".ticket-id")).to_have_text(f"人工工单 ticket #{tickets[0]['id']}")
    screenshot(page, "chat-thread-hand-over.png")


def test_a_denied_microphone_is_said_clearly(
    page: Page, base_url: str, sqlite_copilot: Copilot, room: str
) -> None:
    # What a browser does when the viewer refuses the microphone.
    page.add_init_script(
        "navigator.mediaDevices.getUserMedia = () =>"
        " Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));"
    )
    open_chat(page, base_url, sqlite_copilot, room)
    page.click("#voice")
    problem = page.locator("#log .msg.error")
    expect(problem).to_contain_text("Microphone access was denied")
    expect(page.locator("#voice")).to_have_attribute("aria-pressed", "false")
    expect(page.locator("#voice")).to_be_enabled()


def _silence(path: Path, seconds: float = 3.0, rate: int = 16_000) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"\0\0" * int(seconds * rate))
    return path


def record(page: Page) -> None:
    """Press the voice button, speak for RECORD_S (the fake microphone does), press again."""
    voice = page.locator("#voice")
    expect(voice).to_be_enabled()
    voice.click()
    expect(voice).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#voice-status")).to_contain_text("Recording")
    page.wait_for_timeout(RECORD_S * 1000)
    screenshot(page, "chat-thread-recording.png")
    voice.click()
    expect(voice).to_have_attribute("aria-pressed", "false")


def test_a_spoken_question_is_transcribed_and_answered(
    browser: Browser, base_url: str, sqlite_copilot: Copilot, room: str
) -> None:
    clip = speech_clip()
    if clip is None:
        pytest.skip(f"no real speech in {SPEECH_DIR}: run `make speech`")
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="zh-CN")
    context.set_default_timeout(UI_TIMEOUT_MS)
    context.grant_permissions(["microphone"], origin=base_url)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        open_chat(page, base_url, sqlite_copilot, room)
        record(page)
        asked = page.locator("#log .msg.viewer")
        expect(asked).to_have_count(1)
        expect(asked).not_to_have_class(re.compile(r"\bpending\b"), timeout=FIRST_ANSWER_MS)
        expect(asked).to_have_attribute("data-id", re.compile(r"^\d+$"))
        transcript = asked.locator(".text").inner_text().strip()
        assert transcript and "Transcribing" not in transcript
        reply = page.locator("#log .msg.copilot")
        expect(reply).to_have_count(1)
        expect(reply).not_to_have_class(re.compile(r"\bpending\b"))
        assert (
            reply.locator(".text").inner_text().strip()
        )  # an answer, "not a question", or why not
        screenshot(page, "chat-thread-voice.png")
    finally:
        context.close()
    assert not errors, f"script errors on the page: {errors}"


def test_no_speech_gets_the_servers_reason(
    browser: Browser, base_url: str, sqlite_copilot: Copilot, room: str, tmp_path: Path
) -> None:
    # Another Chromium, whose fake microphone records only silence.
    quiet = browser.browser_type.launch(
        executable_path=str(CHROMIUM),
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-audio-capture={_silence(tmp_path / 'silence.wav')}",
        ],
    )
    try:
        context = quiet.new_context(viewport={"width": 1280, "height": 860}, locale="zh-CN")
        context.set_default_timeout(UI_TIMEOUT_MS)
        context.grant_permissions(["microphone"], origin=base_url)
        page = context.new_page()
        open_chat(page, base_url, sqlite_copilot, room)
        record(page)
        problem = page.locator("#log .msg.copilot.error")
        expect(problem).to_contain_text("no speech was heard", timeout=FIRST_ANSWER_MS)
        expect(problem).to_contain_text("没有听清")
        expect(page.locator("#log .msg.viewer")).to_have_count(0)  # nothing was asked
        screenshot(page, "chat-thread-no-speech.png")
    finally:
        quiet.close()


def test_an_llm_answer_streams_into_the_reply_then_settles(
    page: Page,
    base_url: str,
    sqlite_copilot: Copilot,
    room: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with scripted_endpoint() as (endpoint, script):
        # Slow enough to watch: the first sentence (all the facts) shows before the second,
        # long enough for the page's checks, which poll about once a second.
        script.reply = "明前龙井绿茶直播价¥128，日常价 ¥168，还有 42 件 [1]。 现在下单很划算哦。"
        script.pause_s, script.last_pause_s = 0.3, 4.0
        composer = llm_composer(
            GroundedComposer(sqlite_copilot.embedder),
            endpoint,
            first_token_s=10,
            total_s=30,
            on_partial=lambda context, text: sqlite_copilot.delivery.answer_so_far(
                context.room_id, context.viewer_id, text
            ),
        )
        monkeypatch.setitem(sqlite_copilot.__dict__, "composer", composer)
        open_chat(page, base_url, sqlite_copilot, room)
        ask(page, "龙井多少钱")
        streaming = page.locator("#log .msg.copilot.streaming")
        expect(streaming).to_have_text(re.compile("还有 42 件。$"), timeout=FIRST_ANSWER_MS)
        screenshot(page, "chat-llm-streaming.png")
        reply = page.locator("#log .msg.copilot[data-id]")
        expect(reply).to_contain_text("还有 42 件。 现在下单很划算哦。")
        expect(page.locator("#log .streaming")).to_have_count(0)
        expect(page.locator("#log .msg")).to_have_count(2)
        assert "[1]" not in reply.inner_text()

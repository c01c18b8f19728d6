"""The agents' console in a real headless Chromium: the queue by push, the ticket, canned
replies, keyboard shortcuts, notes that never reach the viewer, reassignment, metrics, language."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from copilot.accounts.models import Role
from copilot.runtime import Copilot
from tests.api.browser_sessions import (
    PASSWORD,
    STAFF_KEY,
    add_user,
    screenshot,
    sign_in_staff,
    sign_in_viewer,
    store_session,
)
from tests.api.conftest import UI_TIMEOUT_MS, require_chromium
from tests.api.test_desk import DAMAGED, staff_headers
from tests.conftest import bearer

require_chromium()

from playwright.sync_api import Browser, Page, expect  # noqa: E402

DELIVERY_MS = 1000  # an agent's reply shows in the viewer's chat within this long of the send
LANG_KEY = "copilot.console.lang"  # console.html's key


@pytest.fixture(autouse=True)
def _desk_settings(sqlite_copilot: Copilot, monkeypatch: pytest.MonkeyPatch) -> None:
    """Replay links on the address the browser uses; no round-robin (tickets wait unassigned)."""
    expect.set_options(timeout=UI_TIMEOUT_MS)
    monkeypatch.setattr(sqlite_copilot.settings, "public_url", "")
    monkeypatch.setattr(sqlite_copilot.settings, "auto_assign", False)


@pytest.fixture
def viewer_page(browser: Browser) -> Iterator[Page]:
    """A second browser (the shopper's phone), its own storage; script errors fail the test."""
    context = browser.new_context(viewport={"width": 390, "height": 760}, locale="zh-CN")
    context.set_default_timeout(UI_TIMEOUT_MS)
    viewer = context.new_page()
    errors: list[str] = []
    viewer.on("pageerror", lambda error: errors.append(str(error)))
    yield viewer
    context.close()
    assert not errors, f"script errors on the chat page: {errors}"


def leave_text_field(page: Page) -> None:
    """Esc, as an agent would, so that the next keys are shortcuts."""
    page.keyboard.press("Escape")
    expect(page.locator("#reply")).not_to_be_focused()


def viewer_messages(base_url: str, room: str, viewer_token: str) -> list[dict[str, Any]]:
    response = httpx.get(
        f"{base_url}/v1/rooms/{room}/chat/messages",
        headers={"Authorization": f"Bearer {viewer_token}"},
    )
    assert response.status_code == 200, response.text
    return list(response.json())


def ask(base_url: str, copilot: Copilot, room: str, viewer: str, text: str) -> dict[str, Any]:
    """The viewer's question through the API (tests that are not about the chat page)."""
    response = httpx.post(
        f"{base_url}/v1/rooms/{room}/questions",
        json={"text": text},
        headers=bearer(copilot, "viewer", room_id=room, viewer_id=viewer),
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_an_escalation_from_the_chat_to_resolved_by_keyboard(
    page: Page, viewer_page: Page, base_url: str, sqlite_copilot: Copilot, mini_room: str
) -> None:
    room = mini_room
    agent = add_user(sqlite_copilot, Role.agent)

    # The agent logs in through the console's own form; the queue of the room is empty.
    page.goto(f"{base_url}/console?room={room}")
    page.fill("#login-username", agent)
    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")
    expect(page.locator("#session-user")).to_have_text(agent)
    expect(page.locator("#live")).to_have_class("on")  # the queue's stream is open
    expect(page.locator("#queue li.empty")).to_have_text("这里没有工单")
    page.evaluate("() => { window.stayed = true; }")  # gone if the page reloads

    # The viewer asks on the chat page and is handed over to a person.
    sign_in_viewer(viewer_page, base_url, sqlite_copilot, room, "alice")
    viewer_token = viewer_page.evaluate(
        f"() => JSON.parse(localStorage.getItem('copilot.session.viewer.{room}')).token"
    )
    viewer_page.goto(f"{base_url}/rooms/{room}/chat")
    viewer_page.fill("#message", DAMAGED)
    viewer_page.click("#send")
    expect(viewer_page.locator("#log li.msg.copilot").last).to_contain_text("人工")

    # The ticket arrives in the queue by push, without a reload.
    row = page.locator("#queue li[data-ticket-id]").filter(has_text="茶叶罐子摔坏了")
    expect(row).to_have_count(1)
    assert page.evaluate("() => window.stayed") is True
    ticket_id = row.get_attribute("data-ticket-id")
    assert ticket_id
    expect(row.locator(".prio")).to_have_text("P1")
    expect(row.locator(".badge")).to_have_text("待接手")
    expect(row.locator(".assignee")).to_have_text("未分配")
    expect(row.locator(".sla")).to_have_text(re.compile(r"^首响 \d+:\d\d$"))
    expect(page.locator("#filter-unassigned .n")).to_have_text("1")
    screenshot(page, "console/queue.png", full_page=False)

    # J then Enter opens it: the conversation, the order concerned, evidence, replay moments.
    page.keyboard.press("j")
    expect(row).to_have_class(re.compile(r"\bcursor\b"))
    page.keyboard.press("Enter")
    ticket = page.locator("#ticket")
    expect(page.locator("#ticket-title")).to_have_text(DAMAGED)
    expect(ticket.locator("#conversation li.msg.viewer")).to_contain_text(DAMAGED)
    expect(ticket.locator("#conversation li.msg.copilot")).to_contain_text("人工")
    expect(ticket.locator(".order.concerned")).to_have_count(1)
    expect(ticket.locator(".order.concerned")).to_contain_text("DD20261101001")
    expect(ticket.locator(".order.concerned")).to_contain_text("SF1400000000001")
    expect(ticket.locator(".evidence.product")).to_contain_text("明前龙井绿茶")
    expect(ticket.locator(".evidence.product")).to_contain_text("¥128")
    expect(ticket.locator(".evidence.transcript a.replay")).to_have_count(1)
    expect(ticket.locator("#trail li[data-action=created]")).to_be_visible()
    assert page.url.endswith(f"#{ticket_id}")
    screenshot(page, "console/ticket.png", full_page=False)

    # A replay link opens the replay page at its second, in a new tab.
    link = ticket.locator("#replay a.replay").first
    href = link.get_attribute("href") or ""
    assert re.fullmatch(rf"{re.escape(base_url)}/replay/{room}\?t=\d+", href), href
    with page.context.expect_page() as opened:
        link.click()
    replay = opened.value
    replay.wait_for_load_state()
    assert re.fullmatch(rf"{re.escape(base_url)}/replay/{room}\?t=\d+", replay.url), replay.url
    replay.close()

    # R, then "/" and a few letters: the canned replies, filtered; Enter puts one in the box.
    page.bring_to_front()
    page.keyboard.press("r")
    expect(page.locator("#reply")).to_be_focused()
    page.keyboard.type("/物流")
    canned = page.locator("#canned li[data-canned-id]")
    expect(page.locator("#canned")).to_be_visible()
    expect(canned.first).to_have_attribute("data-canned-id", "tracking")
    assert canned.count() < 6  # "/物流" left out the replies without it
    screenshot(page, "console/canned.png", full_page=False)
    page.keyboard.press("Enter")
    expect(page.locator("#canned")).to_be_hidden()
    expect(page.locator("#reply")).to_have_value(re.compile("SF1400000000001"))
    expect(page.locator("#missing")).to_be_hidden()  # the ticket filled every field

    # Ctrl+Enter sends it: the viewer's chat shows it within a second.
    sent_at = time.monotonic()
    page.keyboard.press("Control+Enter")
    agent_said = viewer_page.locator("#log li.msg.agent")
    expect(agent_said.last).to_contain_text("SF1400000000001", timeout=DELIVERY_MS)
    assert time.monotonic() - sent_at < DELIVERY_MS / 1000 + 0.2  # (expect's own polling)
    expect(page.locator("#reply")).to_have_value("")
    expect(ticket.locator("#conversation li.msg.agent")).to_contain_text("SF1400000000001")
    expect(ticket.locator("#ticket-status")).to_have_text("等待观众")
    expect(ticket.locator("#trail li[data-action=replied]")).to_contain_text(agent)
    viewer_page.reload()  # it is stored: still there
    expect(agent_said.last).to_contain_text("SF1400000000001")
    screenshot(viewer_page, "console/viewer-reply.png", full_page=False)

    # N: an internal note, visibly one, for staff only.
    note = "内部：疑似快递压坏，找顺丰理赔 INTERNAL-7731"
    leave_text_field(page)
    page.keyboard.press("n")
    expect(page.locator("#mode-note")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#reply")).to_be_focused()
    page.keyboard.type(note)
    page.keyboard.press("Control+Enter")
    shown_note = ticket.locator("#conversation li.msg.note")
    expect(shown_note).to_contain_text("INTERNAL-7731")
    expect(shown_note).to_contain_text("内部备注")
    screenshot(page, "console/note.png", full_page=False)

    # E resolves; the viewer is asked to rate, and never sees the note.
    leave_text_field(page)
    page.keyboard.press("e")
    expect(ticket.locator("#ticket-status")).to_have_text("已解决")
    expect(ticket.locator("#trail li[data-action=resolved]")).to_contain_text(agent)
    expect(row).to_have_count(0)  # no longer among the open tickets
    deadline = time.monotonic() + UI_TIMEOUT_MS / 1000
    while True:
        seen = viewer_messages(base_url, room, viewer_token)
        resolved = [m for m in seen if m.get("kind") == "resolved"]
        if resolved or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert resolved, seen
    assert not any("INTERNAL-7731" in m["text"] for m in seen)
    marker = f'#log li.msg.resolved, #log li[data-id="{resolved[-1]["id"]}"]'
    expect(viewer_page.locator(marker).first).to_be_visible()  # the chat is past the note
    expect(viewer_page.locator("#log")).not_to_contain_text("INTERNAL-7731")
    expect(viewer_page.locator("#log")).to_contain_text("SF1400000000001")

    page.click("#filter-resolved")
    expect(row.locator(".badge")).to_have_text("已解决")
    screenshot(page, "console/resolved.png", full_page=False)


def test_a_supervisor_reassigns_and_sees_the_ticket_and_metrics_change_live(
    page: Page, base_url: str, sqlite_copilot: Copilot, mini_room: str
) -> None:
    room = mini_room
    lead, lead_headers = staff_headers(sqlite_copilot, Role.supervisor)
    agent, agent_headers = staff_headers(sqlite_copilot, Role.agent)
    ticket_id = ask(base_url, sqlite_copilot, room, "alice", DAMAGED)["ticket_id"]
    store_session(
        page,
        base_url,
        STAFF_KEY,
        {"token": lead_headers["Authorization"].split()[1], "role": "supervisor", "subject": lead},
    )

    page.goto(f"{base_url}/console?room={room}#{ticket_id}")  # a link to the ticket opens it
    expect(page.locator("#ticket-title")).to_have_text(DAMAGED)
    expect(page.locator(f'#queue li[data-ticket-id="{ticket_id}"]')).to_have_class(
        re.compile(r"\bopen\b")
    )
    reassign = page.locator("#reassign")
    expect(reassign.locator(f'option[value="{agent}"]')).to_have_count(1)
    reassign.select_option(agent)
    expect(page.locator("#trail li[data-action=assigned]").first).to_contain_text(lead)
    expect(page.locator("#trail li[data-action=assigned]").first).to_contain_text(agent)
    row = page.locator(f'#queue li[data-ticket-id="{ticket_id}"]')
    expect(row.locator(".assignee")).to_contain_text(agent)
    expect(row.locator(".badge")).to_have_text("处理中")
    page.select_option("#priority", "3")
    expect(page.locator("#trail li[data-action=priority]")).to_contain_text("P1 → P3")
    expect(row.locator(".prio")).to_have_text("P3")

    # The agent answers elsewhere (the API): the open ticket follows, text stays text.
    hostile = '<img src=x onerror="window.pwned=1">收到，马上处理'
    posted = httpx.post(
        f"{base_url}/v1/tickets/{ticket_id}/messages",
        json={"text": hostile, "internal": False},
        headers=agent_headers,
    )
    assert posted.status_code == 201, posted.text
    httpx.post(
        f"{base_url}/v1/tickets/{ticket_id}/messages",
        json={"text": "<b>note</b> 已联系仓库", "internal": True},
        headers=agent_headers,
    )
    expect(page.locator("#conversation li.msg.agent")).to_contain_text(hostile)
    expect(page.locator("#conversation li.msg.note")).to_contain_text("<b>note</b> 已联系仓库")
    expect(page.locator("#ticket-status")).to_have_text("等待观众")
    assert page.locator("#ticket img, #ticket b").count() == 0
    assert page.evaluate("() => window.pwned") is None

    # The viewer writes again: the copilot's draft, sent by a supervisor with one button.
    ask(base_url, sqlite_copilot, room, "alice", "龙井多少钱")
    draft = page.locator("#draft")
    expect(draft).to_contain_text("128")
    expect(row.locator(".draft-flag")).to_be_visible()
    screenshot(page, "console/supervisor-draft.png", full_page=False)
    page.click("#send-draft")
    expect(draft).to_be_hidden()
    expect(page.locator("#conversation li.msg.agent").last).to_contain_text("128")

    # The service metrics, per room and per agent (refreshed on events, at most every 10 s).
    page.click("#kpis")
    metrics = page.locator("#metrics")
    expect(metrics).to_be_visible()
    expect(metrics.locator(f'#metrics-rooms tr[data-name="{room}"]')).to_be_visible()
    expect(metrics.locator(f'#metrics-agents tr[data-name="{agent}"]')).to_be_visible(
        timeout=15_000
    )
    screenshot(page, "console/metrics.png", full_page=False)
    page.keyboard.press("Escape")
    expect(metrics).to_be_hidden()


def test_the_console_speaks_chinese_or_english(
    page: Page, browser: Browser, base_url: str, sqlite_copilot: Copilot, mini_room: str
) -> None:
    # carol has no orders: the tracking reply has fields the ticket cannot fill.
    ticket_id = ask(base_url, sqlite_copilot, mini_room, "carol", DAMAGED)["ticket_id"]
    sign_in_staff(page, base_url, sqlite_copilot, "agent")
    page.goto(f"{base_url}/console?room={mini_room}#{ticket_id}")
    expect(page.locator("#filter-open")).to_contain_text("全部待办")  # zh-CN: Chinese
    expect(page.locator("#ticket-status")).to_have_text("待接手")
    assert page.evaluate("() => document.documentElement.lang") == "zh-CN"

    page.click("#lang-en")
    expect(page.locator("#filter-open")).to_contain_text("All open")
    expect(page.locator("#ticket-status")).to_have_text("Open")
    expect(page.locator("#send-reply")).to_contain_text("Send")
    expect(page.locator("#claim")).to_contain_text("Claim")
    expect(page.locator("#orders-title")).to_have_text("Orders")
    assert page.evaluate("() => document.documentElement.lang") == "en"
    page.keyboard.press("?")
    expect(page.locator("#help")).to_contain_text("Keyboard shortcuts")
    screenshot(page, "console/help-en.png", full_page=False)
    page.keyboard.press("Escape")
    expect(page.locator("#help")).to_be_hidden()
    screenshot(page, "console/ticket-en.png", full_page=False)

    # A canned reply with fields still to fill: marked, the first selected, a send asks again.
    page.keyboard.press("r")
    page.keyboard.type("/track")
    # (in the ticket's language, the viewer's, whatever the console's)
    expect(page.locator("#canned li.active")).to_contain_text("物流单号")
    expect(page.locator("#canned li.active .warn")).to_contain_text("【order_id】")
    page.keyboard.press("Enter")
    reply = page.locator("#reply")
    expect(reply).to_have_value(re.compile("订单 【order_id】 由【carrier】配送"))
    expect(page.locator("#missing")).to_contain_text("Fields still to fill in")
    expect(page.locator("#missing mark")).to_have_count(3)
    expect(page.locator("#mirror mark")).to_have_count(3)  # highlighted in the box itself
    selected = "(b) => b.value.slice(b.selectionStart, b.selectionEnd)"
    assert reply.evaluate(selected) == "【order_id】"
    page.keyboard.press("Control+Enter")
    expect(page.locator("#missing")).to_have_class("confirm")  # not sent: asked again
    screenshot(page, "console/missing-en.png", full_page=False)
    page.keyboard.type("DD20261109999")  # typing replaces the selected field
    expect(page.locator("#mirror mark")).to_have_count(2)
    assert page.locator("#conversation li.msg.agent").count() == 0
    reply.fill("")
    leave_text_field(page)

    page.reload()  # the choice is kept
    expect(page.locator("#filter-open")).to_contain_text("All open")
    assert page.evaluate(f"() => localStorage.getItem('{LANG_KEY}')") == "en"
    page.click("#lang-zh")
    expect(page.locator("#filter-open")).to_contain_text("全部待办")

    # With no choice stored, an English browser gets English.
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="en-US")
    try:
        english = context.new_page()
        sign_in_staff(english, base_url, sqlite_copilot, "agent")
        english.goto(f"{base_url}/console?room={mini_room}")
        expect(english.locator("#filter-mine")).to_contain_text("Mine")
        expect(english.locator("#queue-title")).to_contain_text("Queue")
    finally:
        context.close()

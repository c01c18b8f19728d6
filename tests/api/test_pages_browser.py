"""The three pages in a real headless Chromium against the real app served by uvicorn, each
with its session: the chat's from the shop's #token= link, the console's from a login."""

from __future__ import annotations

import re

from copilot.accounts.models import Role
from copilot.runtime import Copilot
from tests.api.browser_sessions import PASSWORD, add_user, screenshot, sign_in_staff
from tests.api.conftest import UI_TIMEOUT_MS, require_chromium
from tests.conftest import new_room, token

require_chromium()

from playwright.sync_api import Page, expect  # noqa: E402


def ask(page: Page, text: str) -> None:
    """Type a question in the chat page and send it (its moment is the stream's live clock)."""
    page.fill("#message", text)
    page.click("#send")


def test_chat_console_and_host_pages(page: Page, base_url: str, sqlite_copilot: Copilot) -> None:
    expect.set_options(timeout=UI_TIMEOUT_MS)
    room = new_room(sqlite_copilot)
    replies = page.locator("#log .msg.copilot")

    # (a) the viewer chat, opened by the shop's app with bob's session in the fragment
    viewer_token = token(sqlite_copilot, "viewer", room_id=room, viewer_id="bob")
    page.goto(f"{base_url}/rooms/{room}/chat#token={viewer_token}")
    expect(page.locator("#room-name")).to_have_text(room)
    expect(page.locator("#session-viewer")).to_have_text("已登录 Signed in")  # never the raw id
    assert "token" not in page.url and page.url.endswith(f"/rooms/{room}/chat")  # not left around
    expect(page.locator("#viewer-id")).to_have_count(0)  # the session says who asks

    ask(page, "龙井多少钱")
    expect(replies.nth(0)).to_contain_text("128")
    expect(replies.nth(0).locator(".chip")).to_contain_text(["product:MT-01"])

    ask(page, "收到的杯子裂了，我要退款")
    ticket_chip = replies.nth(1).locator(".ticket-id")
    expect(ticket_chip).to_have_text(re.compile(r"ticket #[0-9a-z]+$"))
    ticket_id = ticket_chip.inner_text().rsplit("#", 1)[1]

    ask(page, "666")
    expect(replies.nth(2)).to_have_class(re.compile(r"\bignored\b"))
    expect(replies.nth(2)).to_contain_text("not a question")
    screenshot(page, "page-chat.png")

    # The box stops at 500 characters; a page that bypasses it gets the API's 4xx, shown inline.
    page.eval_on_selector("#message", "box => box.removeAttribute('maxlength')")
    ask(page, "好" * 501)
    expect(replies.nth(3)).to_have_class(re.compile(r"\berror\b"))
    expect(replies.nth(3)).to_contain_text("500")
    ask(page, "<b>能开发票吗</b>")  # the page still works, and user text stays text
    expect(replies.nth(4)).to_contain_text("电子普通发票")
    expect(page.locator("#log .msg.viewer b")).to_have_count(0)
    expect(page.locator("#log .msg.viewer").last).to_contain_text("<b>能开发票吗</b>")
    page.reload()
    expect(page.locator("#session-viewer")).to_have_text("已登录 Signed in")  # kept for the room
    expect(page.locator("#send")).to_be_enabled()

    # (b) the agent console, open tickets of this room, after an agent logs in
    agent = add_user(sqlite_copilot, Role.agent)
    page.goto(f"{base_url}/console?room={room}")
    page.fill("#login-username", agent)
    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")
    expect(page.locator("#session-user")).to_have_text(agent)
    row = page.locator(f'#queue li[data-ticket-id="{ticket_id}"]')
    expect(row).to_contain_text("收到的杯子裂了")
    row.locator(".ticket-item").click()
    ticket = page.locator("#ticket")
    expect(ticket.locator("#conversation")).to_contain_text("收到的杯子裂了，我要退款")
    expect(ticket.locator("#conversation")).to_contain_text("人工")
    expect(ticket.locator("#orders .order.concerned")).to_contain_text("DD20261101003")
    replay = ticket.locator("#replay a.replay").first
    public = sqlite_copilot.settings.public_url  # COPILOT_PUBLIC_URL wins over the address
    expect(replay).to_have_attribute("href", re.compile(rf"^{re.escape(public)}/replay/.*\?t=\d+"))
    screenshot(page, "page-console.png")
    # (claiming, replying and resolving by keyboard: test_console_browser.py)

    # (c) the host panel, which the agent's session opens too
    page.goto(f"{base_url}/rooms/{room}/host")
    expect(page.locator("#session-user")).to_have_text(agent)
    expect(page.locator('#intents [data-intent="after_sales"] .n')).to_have_text("1")
    expect(page.locator("#questions")).to_contain_text("龙井多少钱")
    expect(page.locator("#products")).to_contain_text("明前龙井绿茶")
    expect(page.locator("#products")).to_contain_text("售罄")  # the pu'er is out of stock
    screenshot(page, "page-host.png")


def test_host_page_says_when_the_room_is_unknown(
    page: Page, base_url: str, sqlite_copilot: Copilot
) -> None:
    sign_in_staff(page, base_url, sqlite_copilot, "supervisor")
    page.goto(f"{base_url}/rooms/no-such-room/host")
    expect(page.locator("#notice")).to_contain_text("Unknown room", timeout=UI_TIMEOUT_MS)
    expect(page.locator("#panel")).to_be_hidden()

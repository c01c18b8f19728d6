"""Sessions on the pages in a real headless Chromium: the staff login of the console and the host
panel, and the viewer chat's session (the shop's #token= link, or the demo's viewer picker)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from api.app import create_app
from copilot.accounts.models import Role
from copilot.config import Settings
from copilot.runtime import Copilot
from evals.runner import load_dataset
from knowledge.embedder import Embedder
from tests.api.browser_sessions import PASSWORD, STAFF_KEY, add_user, screenshot, serve
from tests.api.conftest import UI_TIMEOUT_MS, require_chromium
from tests.conftest import MINI, NO_RATE_LIMITS, TEST_HOSTS, bearer, new_room, token

require_chromium()

from playwright.sync_api import Page, expect  # noqa: E402

DEMO_ROOM = "demo"


@pytest.fixture(autouse=True)
def _timeouts() -> None:
    expect.set_options(timeout=UI_TIMEOUT_MS)


def log_in(page: Page, username: str, password: str = PASSWORD) -> None:
    """Fill the login form and send it."""
    page.fill("#login-username", username)
    page.fill("#login-password", password)
    page.click("#login-submit")


def test_console_login_wrong_password_queue_and_logout(
    page: Page, base_url: str, sqlite_copilot: Copilot
) -> None:
    room = new_room(sqlite_copilot)
    asked = httpx.post(
        f"{base_url}/v1/rooms/{room}/questions",
        json={"viewer_id": "bob", "text": "收到的杯子裂了，我要退款"},
        headers=bearer(sqlite_copilot),  # the shop's platform relays bob's question
        timeout=60,  # the first question may warm the room's caches
    ).json()
    agent = add_user(sqlite_copilot, Role.agent)

    page.goto(f"{base_url}/console?room={room}")
    form = page.locator("#login-form")
    expect(form).to_be_visible()
    expect(form).to_contain_text("用户名 Username")
    expect(form).to_contain_text("密码 Password")
    expect(page.locator("#list-card")).to_be_hidden()  # nothing of the queue before a login
    screenshot(page, "console-login.png")

    log_in(page, agent, "not the password")
    expect(page.locator("#login-error")).to_contain_text("wrong username or password")
    screenshot(page, "console-login-error.png")
    assert page.evaluate(f"() => localStorage.getItem('{STAFF_KEY}')") is None

    log_in(page, agent)
    expect(form).to_have_count(0)
    item = page.locator(f'.ticket-item[data-id="{asked["ticket_id"]}"]')
    expect(item).to_contain_text("收到的杯子裂了")
    expect(page.locator("#session-user")).to_have_text(agent)
    expect(page.locator("#session-role")).to_contain_text("客服 agent")
    item.click()
    expect(page.locator("#detail-body .conversation")).to_contain_text("收到的杯子裂了")
    screenshot(page, "console-queue.png")

    page.reload()  # the session is kept: no login again
    expect(item).to_be_visible()
    expect(page.locator("#login-form")).to_have_count(0)

    page.click("#logout")
    expect(page.locator("#login-form")).to_be_visible()
    expect(page.locator("#session")).to_have_count(0)
    expect(page.locator("#list-card")).to_be_hidden()
    assert page.evaluate(f"() => localStorage.getItem('{STAFF_KEY}')") is None


def test_a_session_the_server_refuses_brings_back_the_login(
    page: Page, base_url: str, sqlite_copilot: Copilot
) -> None:
    agent = add_user(sqlite_copilot, Role.agent)
    page.goto(f"{base_url}/console")
    log_in(page, agent)
    expect(page.locator("#session-user")).to_have_text(agent)
    # The token stops being good (here: forged) while the page polls: the next call gets a
    # 401, and the page forgets the session and shows the login again.
    page.evaluate(
        f"""() => {{ const s = JSON.parse(localStorage.getItem('{STAFF_KEY}'));
        localStorage.setItem('{STAFF_KEY}', JSON.stringify({{...s, token: s.token + 'x'}})); }}"""
    )
    # A fresh call now. The page's own refreshes may already have met the 401 and hidden the
    # queue, so the click is dispatched without waiting for the button to be visible.
    page.dispatch_event("#filter-resolved", "click")
    expect(page.locator("#login-form")).to_be_visible()
    assert page.evaluate(f"() => localStorage.getItem('{STAFF_KEY}')") is None
    log_in(page, agent)
    expect(page.locator("#list-card")).to_be_visible()


def test_host_panel_refuses_the_host_of_another_room(
    page: Page, base_url: str, sqlite_copilot: Copilot
) -> None:
    their_room, other_room = new_room(sqlite_copilot), new_room(sqlite_copilot)
    host = add_user(sqlite_copilot, Role.host, room_id=their_room)

    page.goto(f"{base_url}/rooms/{other_room}/host")
    expect(page.locator("#login-form")).to_contain_text("主播 host")
    log_in(page, host)
    error = page.locator("#login-error")
    expect(error).to_contain_text(f"is the host of room “{their_room}”, not of “{other_room}”")
    expect(page.locator("#panel")).to_be_hidden()
    screenshot(page, "host-refused.png")

    page.goto(f"{base_url}/rooms/{their_room}/host")  # their own room opens with that login
    expect(page.locator("#session-user")).to_have_text(host)
    expect(page.locator("#products")).to_contain_text("明前龙井绿茶")

    page.goto(f"{base_url}/rooms/{other_room}/host")  # the stored login is still refused
    expect(page.locator("#login-notice")).to_contain_text(f"not of “{other_room}”")
    expect(page.locator("#panel")).to_be_hidden()


def test_chat_without_a_session_says_to_open_it_from_the_shop(
    page: Page, base_url: str, sqlite_copilot: Copilot
) -> None:
    room = new_room(sqlite_copilot)
    page.goto(f"{base_url}/rooms/{room}/chat")
    expect(page.locator("#open-from-app")).to_contain_text("open this chat from the shop's app")
    expect(page.locator("#ask")).to_be_hidden()
    expect(page.locator("#demo")).to_have_count(0)  # no demo here: no viewer picker
    screenshot(page, "chat-no-session.png")

    # A link whose session is for another room is refused, and still leaves the address bar.
    elsewhere = token(sqlite_copilot, "viewer", room_id=new_room(sqlite_copilot), viewer_id="bob")
    page.goto(f"{base_url}/rooms/{room}/chat#token={elsewhere}")
    expect(page.locator("#no-session .notice")).to_contain_text(
        f"not a viewer session of room “{room}”"
    )
    assert "#" not in page.url
    expect(page.locator("#ask")).to_be_hidden()


@pytest.fixture(scope="module")
def demo_url(home: Path, embedder: Embedder) -> Iterator[str]:
    """An app as `copilot demo` serves it (the demo viewer picker on), the mini data in 'demo'."""
    settings = Settings(home=home, allowed_hosts=TEST_HOSTS, **NO_RATE_LIMITS, demo=True)
    copilot = Copilot(settings, embedder=embedder)
    load_dataset(copilot, MINI, DEMO_ROOM)
    with serve(create_app(copilot=copilot), lifespan="on", ws="none") as url:
        yield url


def test_demo_chat_picks_a_viewer_asks_and_switches(page: Page, demo_url: str) -> None:
    assert httpx.get(f"{demo_url}/healthz").json()["demo"] is True
    page.goto(f"{demo_url}/rooms/{DEMO_ROOM}/chat")
    picker = page.locator("#demo")
    expect(picker).to_contain_text("演示 Demo only — pick a viewer")
    expect(page.locator("#demo-viewer")).to_have_value("v001")
    expect(picker.locator(".suggestions button")).to_have_text([f"v{i:03d}" for i in range(1, 11)])
    expect(page.locator("#ask")).to_be_hidden()
    screenshot(page, "chat-demo-picker.png")

    picker.locator('button[data-viewer="v003"]').click()
    expect(page.locator("#session-viewer")).to_have_text("演示观众 Demo viewer")
    page.fill("#message", "龙井多少钱")
    page.click("#send")
    expect(page.locator("#log .msg.copilot").first).to_contain_text("128")
    expect(page.locator("#log .msg.viewer").first).to_contain_text("龙井多少钱")
    assert "v003" not in page.locator("body").inner_text()  # the viewer's id is never shown
    screenshot(page, "chat-demo-answer.png")
    page.set_viewport_size({"width": 390, "height": 760})  # a phone, where shoppers are
    screenshot(page, "chat-demo-phone.png")
    page.set_viewport_size({"width": 1280, "height": 860})

    page.click("#switch-viewer")
    expect(page.locator("#demo-viewer")).to_have_value("v001")
    page.fill("#demo-viewer", "alice")
    page.click("#demo-start")
    expect(page.locator("#session-viewer")).to_have_text("演示观众 Demo viewer")
    expect(page.locator("#log .msg")).to_have_count(0)  # v003's conversation is not alice's


def test_demo_chat_of_another_room_has_no_picker(page: Page, demo_url: str) -> None:
    page.goto(f"{demo_url}/rooms/not-the-demo/chat")
    expect(page.locator("#open-from-app")).to_be_visible()
    expect(page.locator("#demo")).to_have_count(0)  # the demo's sessions are for its room only


def test_viewer_gets_an_answer_through_the_shops_link(
    page: Page, base_url: str, sqlite_copilot: Copilot
) -> None:
    room = new_room(sqlite_copilot)
    minted = token(sqlite_copilot, "viewer", room_id=room, viewer_id="alice")
    page.goto(f"{base_url}/rooms/{room}/chat#token={minted}")
    expect(page.locator("#session-viewer")).to_have_text("已登录 Signed in")
    assert page.url == f"{base_url}/rooms/{room}/chat"  # the token left the address bar
    page.fill("#message", "我的订单到哪了")
    page.click("#send")
    reply = page.locator("#log .msg.copilot").first
    expect(reply).not_to_have_class(re.compile(r"\bpending\b"))
    expect(reply).to_contain_text("SF1400000000001")  # alice's own order, by her session
    expect(page.locator("#logout")).to_have_count(0)  # a viewer does not log out of the shop

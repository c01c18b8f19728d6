"""The host panel in a real headless Chromium against the real app (its lifespan runs the prompt
worker): viewers' questions become a prompt pushed live, its count grows in place, the host
acknowledges and dismisses it, a topic answered on air moves to the answered list, and the stage
strip shows the product on stage and the questions per minute."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx

from copilot.hostprompts.service import host_line_event
from copilot.runtime import Copilot
from tests.api.browser_sessions import screenshot, sign_in_staff
from tests.api.conftest import UI_TIMEOUT_MS, require_chromium
from tests.api.test_host_prompts_api import SHIPPING
from tests.conftest import bearer

require_chromium()

from playwright.sync_api import Page, Request, Route, expect  # noqa: E402

# The mug's sheet says nothing about microwaves: the copilot's sources cannot answer this topic.
MICROWAVE = [
    "杯子能放微波炉吗",
    "这个杯子可以微波炉加热吗",
    "能进微波炉吗",
    "is the mug microwave safe",
    "can I put the mug in the microwave",
]
ON_AIR = "这个竹纤维杯不能放微波炉，也不要微波加热哦"  # the host answers the microwave topic
LINE = re.compile(r"^\d+ (人在问：|viewers ask: )")
SCREENSHOT_COPY = Path("/tmp/host_panel.png")  # where the lead looks at it


def ask(http: httpx.Client, room: str, viewer: str, text: str, at: float) -> None:
    """A viewer's question relayed by the shop's platform (an admin token names the viewer)."""
    asked = http.post(
        f"/v1/rooms/{room}/questions", json={"viewer_id": viewer, "text": text, "at": at}
    )
    assert asked.status_code == 200, asked.text


def stored(http: httpx.Client, room: str, prompt_id: str) -> dict[str, Any]:
    """The prompt as the API reports it."""
    listed = http.get(f"/v1/rooms/{room}/host-prompts")
    assert listed.status_code == 200, listed.text
    (view,) = [p for p in listed.json()["prompts"] if p["id"] == prompt_id]
    return dict(view)


def test_prompts_arrive_live_and_the_host_handles_them(
    page: Page, base_url: str, sqlite_copilot: Copilot, mini_room: str
) -> None:
    expect.set_options(timeout=UI_TIMEOUT_MS)
    room = mini_room
    http = httpx.Client(base_url=base_url, headers=bearer(sqlite_copilot), timeout=60)

    # The room's host opens the panel: no prompts yet, the prompt stream is open.
    sign_in_staff(page, base_url, sqlite_copilot, "host", room_id=room)
    page.goto(f"{base_url}/rooms/{room}/host")
    expect(page.locator("#session-role")).to_have_text("主播 host")
    expect(page.locator("#prompts-state")).to_have_class("on")
    expect(page.locator("#prompts li.empty")).to_be_visible()
    page.evaluate("() => { window.stayed = true; }")  # gone if the page reloads

    # Five viewers ask when it ships, in both languages: one prompt, pushed without a reload.
    for i, text in enumerate(SHIPPING):
        ask(http, room, f"fan{i}", text, 100 + i)
    cards = page.locator("#prompts li.prompt")
    expect(cards).to_have_count(1)
    prompt_id = cards.first.get_attribute("data-prompt-id")
    assert prompt_id
    shipping = page.locator(f'#prompts li[data-prompt-id="{prompt_id}"]')
    expect(shipping.locator(".count .n")).to_have_text("5")
    expect(shipping.locator(".line")).to_have_text(LINE)
    expect(shipping.locator(".line")).to_contain_text("5 ")
    expect(shipping.locator(".samples li")).to_have_count(5)
    expect(shipping.locator(".meta")).not_to_contain_text("null")  # absent parts leave nothing
    assert set(shipping.locator(".samples li").all_inner_texts()) == set(SHIPPING)
    assert page.evaluate("() => window.stayed") is True
    view = stored(http, room, prompt_id)
    expect(shipping.locator(".line")).to_have_text(view["line"])
    # The flag mirrors the API: shown exactly when the copilot's sources do not answer it.
    expect(shipping.locator(".flag")).to_have_count(0 if view["sources_answer"] else 1)

    # A sixth viewer: the same card (not a new one) counts 6.
    shipping.evaluate("card => { card.seen = true; }")
    ask(http, room, "fan9", "发货快吗", 110)
    expect(shipping.locator(".count .n")).to_have_text("6")
    expect(shipping.locator(".line")).to_contain_text("6 ")
    assert shipping.evaluate("card => card.seen === true"), "the card was rebuilt, not updated"

    # A second topic the sources cannot answer, asked by five others: flagged, below (5 < 6).
    for i, text in enumerate(MICROWAVE):
        ask(http, room, f"mug{i}", text, 120 + i)
    expect(cards).to_have_count(2)
    expect(cards.nth(0)).to_have_attribute("data-prompt-id", prompt_id)
    microwave_id = cards.nth(1).get_attribute("data-prompt-id")
    assert microwave_id and not stored(http, room, microwave_id)["sources_answer"]
    microwave = page.locator(f'#prompts li[data-prompt-id="{microwave_id}"]')
    expect(microwave.locator(".count .n")).to_have_text("5")
    expect(microwave.locator(".flag")).to_have_text("⚠ 需要主播回答 Host must answer")
    expect(microwave).to_have_class(re.compile(r"\bunanswerable\b"))

    # "Host must answer" keeps the topics the sources cannot answer; "All" brings back the rest.
    flagged = 1 + (0 if stored(http, room, prompt_id)["sources_answer"] else 1)
    expect(page.locator("#filter-unanswered .n")).to_have_text(str(flagged))
    expect(page.locator("#filter-all .n")).to_have_text("2")
    page.click("#filter-unanswered")
    expect(cards).to_have_count(flagged)
    expect(microwave).to_be_visible()
    page.click("#filter-all")
    expect(cards).to_have_count(2)

    # Got it: the card is marked, and the API has it acknowledged.
    shipping.locator("button.ack").click()
    expect(shipping).to_have_class(re.compile(r"\backed\b"))
    expect(shipping.locator("button.ack")).to_have_attribute("aria-pressed", "true")
    expect(shipping.locator(".acked-mark")).to_be_visible()
    assert stored(http, room, prompt_id)["acknowledged"] is True

    # The stage strip: the product the host last introduced, and eleven questions this show.
    expect(page.locator("#on-stage")).to_have_attribute("data-sku", "MT-03")
    expect(page.locator("#on-stage .stage-name")).to_have_text("Bamboo Travel Mug")
    expect(page.locator("#per-minute li")).to_have_count(10)
    expect(page.locator("#per-minute")).to_have_attribute("data-total", "11")
    shot = screenshot(page, "host-panel.png", full_page=False)
    shutil.copyfile(shot, SCREENSHOT_COPY)

    # A failed dismissal says so in the card, which stays (the server's answer is faked here).
    def unavailable(route: Route) -> None:
        if route.request.method != "PATCH":
            route.continue_()
            return
        route.fulfill(status=503, json={"error": "service unavailable"})

    pattern = f"**/host-prompts/{prompt_id}"
    page.route(pattern, unavailable)
    shipping.locator("button.dismiss").click()
    expect(shipping.locator(".prompt-error")).to_contain_text("service unavailable")
    expect(cards).to_have_count(2)
    page.unroute(pattern)

    # Dismiss: the card leaves the open prompts, and the API reports it dismissed.
    shipping.locator("button.dismiss").click()
    expect(shipping).to_have_count(0)
    expect(cards).to_have_count(1)
    assert stored(http, room, prompt_id)["status"] == "dismissed"

    # The host answers the microwave topic on air (the line the live transcript puts on the
    # feed): it leaves the open prompts for "answered on air", with the moment and the line.
    sqlite_copilot.host_prompts.publish(host_line_event(room, start=130, text=ON_AIR))
    expect(cards).to_have_count(0)
    answered = page.locator(f'#answered li[data-prompt-id="{microwave_id}"]')
    expect(answered).to_contain_text("▶ 2:10")
    expect(answered).to_contain_text(ON_AIR)
    expect(answered.locator("a.t")).to_have_attribute("href", f"/replay/{room}?t=130")
    assert stored(http, room, microwave_id)["status"] == "answered"
    screenshot(page, "host-panel-answered.png", full_page=False)
    page.set_viewport_size({"width": 390, "height": 844})  # a phone on the host's desk
    screenshot(page, "host-panel-phone.png", full_page=False)


def test_a_reconnected_stream_fetches_the_list_again(
    page: Page, base_url: str, sqlite_copilot: Copilot, mini_room: str
) -> None:
    expect.set_options(timeout=UI_TIMEOUT_MS)
    room = mini_room
    list_path = f"/v1/rooms/{room}/host-prompts"
    streams: list[str] = []

    def first_stream_ends(route: Route) -> None:
        # The first stream is cut right after it opens (as a proxy or a restart would): the
        # browser reconnects by itself, to the real server.
        streams.append(route.request.url)
        if len(streams) > 1:
            route.continue_()
            return
        body = "retry: 200\n: connected\n\n"
        route.fulfill(status=200, headers={"Content-Type": "text/event-stream"}, body=body)

    page.route(f"**{list_path}/events?*", first_stream_ends)
    listed: list[str] = []

    def second_list(request: Request) -> bool:
        if request.method == "GET" and urlparse(request.url).path == list_path:
            listed.append(request.url)
        return len(listed) == 2

    sign_in_staff(page, base_url, sqlite_copilot, "host", room_id=room)
    with page.expect_request(second_list):
        page.goto(f"{base_url}/rooms/{room}/host")
    assert len(streams) == 2  # the list came again when the second stream opened
    expect(page.locator("#prompts-state")).to_have_class("on")

    # The reconnected stream is the live one: a new prompt arrives through it.
    http = httpx.Client(base_url=base_url, headers=bearer(sqlite_copilot), timeout=60)
    for i, text in enumerate(SHIPPING):
        ask(http, room, f"fan{i}", text, 100 + i)
    expect(page.locator("#prompts li.prompt .count .n")).to_have_text("5")
    assert len(listed) == 2 and len(streams) == 2

"""Host prompts over HTTP on a real server: viewers' questions become a prompt on the host's
event stream, dismissal and acknowledgement, and who may do what."""

from __future__ import annotations

import queue
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from api.app import create_app
from copilot.accounts.models import Role
from copilot.runtime import Copilot
from tests.api.browser_sessions import serve
from tests.api.sse import EventReader, read_events
from tests.api.test_desk import staff_headers
from tests.conftest import bearer

SHIPPING = [
    "什么时候发货",
    "几天能发货呀",
    "拍了多久发货呀",
    "when will you ship it",
    "how soon does it ship",
]


@pytest.fixture(scope="module")
def server(sqlite_copilot: Copilot) -> Iterator[str]:
    with serve(create_app(copilot=sqlite_copilot), lifespan="on", ws="none") as url:
        yield url


def next_view(reader: EventReader, until: Any, timeout: float = 60.0) -> dict[str, Any]:
    """The first prompt event satisfying `until` within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            _, view = reader.next(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            break
        if until(view):
            return view
    raise AssertionError("no such prompt event")


def test_questions_become_a_prompt_on_the_hosts_stream(
    server: str, sqlite_copilot: Copilot, mini_room: str
) -> None:
    http = httpx.Client(base_url=server, timeout=60)
    host = bearer(sqlite_copilot, "host", room_id=mini_room)
    admin = bearer(sqlite_copilot)
    listed = http.get(f"/v1/rooms/{mini_room}/host-prompts", headers=host).json()
    assert listed["prompts"] == []
    url = f"{server}/v1/rooms/{mini_room}/host-prompts/events?after={listed['last_event_id']}"
    with read_events(url, host) as reader:
        assert reader.status == 200
        for i, text in enumerate(SHIPPING):
            body = {"viewer_id": f"fan{i}", "text": text, "at": 100 + i}
            asked = http.post(f"/v1/rooms/{mini_room}/questions", json=body, headers=admin)
            assert asked.status_code == 200, asked.text
        view = next_view(reader, lambda v: v["count"] == 5)
        assert view["status"] == "open" and set(view["samples"]) == set(SHIPPING)
        assert view["line"].startswith("5 ")
        body = {"viewer_id": "fan9", "text": "发货快吗", "at": 110}
        http.post(f"/v1/rooms/{mini_room}/questions", json=body, headers=admin)
        assert next_view(reader, lambda v: v["count"] == 6)["id"] == view["id"]

        _, agent = staff_headers(sqlite_copilot, Role.agent)
        path = f"/v1/rooms/{mini_room}/host-prompts/{view['id']}"
        assert http.patch(path, json={"status": "dismissed"}, headers=agent).status_code == 403
        acked = http.patch(path, json={"acknowledged": True}, headers=host)
        assert acked.status_code == 200 and acked.json()["acknowledged"] is True
        dismissed = http.patch(path, json={"status": "dismissed"}, headers=host)
        assert dismissed.status_code == 200 and dismissed.json()["status"] == "dismissed"
        assert next_view(reader, lambda v: v["status"] == "dismissed")["id"] == view["id"]
    (stored,) = http.get(f"/v1/rooms/{mini_room}/host-prompts", headers=agent).json()["prompts"]
    assert stored["status"] == "dismissed" and stored["count"] == 6
    opened = http.get(f"/v1/rooms/{mini_room}/host-prompts?status=open", headers=host).json()
    assert opened["prompts"] == []


def test_host_prompts_refuse_what_they_should(
    server: str, sqlite_copilot: Copilot, mini_room: str
) -> None:
    http = httpx.Client(base_url=server, timeout=30)
    path = f"/v1/rooms/{mini_room}/host-prompts"
    assert http.get(path).status_code == 401
    viewer = bearer(sqlite_copilot, "viewer", room_id=mini_room, viewer_id="bob")
    assert http.get(path, headers=viewer).status_code == 403
    elsewhere = bearer(sqlite_copilot, "host", room_id="another-room")
    assert http.get(path, headers=elsewhere).status_code == 403
    assert http.get(f"{path}/events", headers=elsewhere).status_code == 403
    admin = bearer(sqlite_copilot)
    assert http.get("/v1/rooms/no-such-room/host-prompts", headers=admin).status_code == 404
    host = bearer(sqlite_copilot, "host", room_id=mini_room)
    missing = http.patch(f"{path}/nope", json={"status": "dismissed"}, headers=host)
    assert missing.status_code == 404 and "nope" in missing.json()["error"]
    assert http.patch(f"{path}/nope", json={}, headers=host).status_code == 422
    bad = http.patch(f"{path}/nope", json={"status": "open"}, headers=host)
    assert bad.status_code == 422
    assert http.get(f"{path}?status=maybe", headers=host).status_code == 422

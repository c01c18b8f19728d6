"""The event streams on a real server: an agent's reply reaches the viewer's open stream at
once, a reconnect with Last-Event-ID loses and repeats nothing, the queue streams changes."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from api.app import create_app
from copilot.accounts.models import Role
from copilot.answer import GroundedComposer
from copilot.runtime import Copilot
from tests.api.browser_sessions import serve
from tests.api.sse import read_events
from tests.api.test_desk import DAMAGED, staff_headers
from tests.conftest import bearer
from tests.scripted_llm import llm_composer, scripted_endpoint


@pytest.fixture(scope="module")
def server(sqlite_copilot: Copilot) -> Iterator[str]:
    with serve(create_app(copilot=sqlite_copilot), lifespan="on", ws="none") as url:
        yield url


def test_agent_reply_reaches_the_open_stream_and_resume_loses_nothing(
    server: str, sqlite_copilot: Copilot, mini_room: str
) -> None:
    alice = bearer(sqlite_copilot, "viewer", room_id=mini_room, viewer_id="alice")
    agent_name, agent = staff_headers(sqlite_copilot, Role.agent)
    http = httpx.Client(base_url=server, timeout=60)
    escalated = http.post(f"/v1/rooms/{mini_room}/questions", json={"text": DAMAGED}, headers=alice)
    ticket_id = escalated.json()["ticket_id"]
    chat = f"{server}/v1/rooms/{mini_room}/chat/events"
    with (
        read_events(chat, alice) as viewer,
        read_events(f"{server}/v1/tickets/events", agent) as queue,
    ):
        assert viewer.status == 200 and queue.status == 200
        history = viewer.drain()  # a new stream starts with the whole thread
        assert [e["role"] for _, e in history] == ["viewer", "copilot"]
        assert all(event_id == str(e["id"]) for event_id, e in history)

        sent = time.monotonic()
        reply = http.post(
            f"/v1/tickets/{ticket_id}/messages", json={"text": "您好，我来帮您处理"}, headers=agent
        )
        assert reply.status_code == 201
        event_id, message = viewer.next(timeout=5)
        delay = time.monotonic() - sent
        assert message["role"] == "agent" and message["text"] == "您好，我来帮您处理"
        assert delay < 1.0, f"the reply took {delay:.2f} s to reach the viewer"
        changes = [e for _, e in queue.drain()]
        assert any(c["type"] == "replied" and c["ticket"]["id"] == ticket_id for c in changes)
        assert all(c["ticket"]["status"] in ("assigned", "waiting") for c in changes)

        note = http.post(
            f"/v1/tickets/{ticket_id}/messages",
            json={"text": "内部备注", "internal": True},
            headers=agent,
        )
        assert note.status_code == 201
        assert viewer.drain() == []  # a note never reaches the viewer's stream
    last_seen = event_id

    # Offline, two more replies are stored; a reconnect resumes after the last event seen.
    for text in ("第一条", "第二条"):
        http.post(f"/v1/tickets/{ticket_id}/messages", json={"text": text}, headers=agent)
    with read_events(chat, {**alice, "Last-Event-ID": str(last_seen)}) as viewer:
        resumed = viewer.drain()
    assert [e["text"] for _, e in resumed] == ["第一条", "第二条"]
    listed = http.get(
        f"/v1/rooms/{mini_room}/chat/messages", params={"after": last_seen}, headers=alice
    ).json()
    assert [m["text"] for m in listed] == ["第一条", "第二条"]
    assert agent_name


def test_streams_refuse_what_they_should(
    server: str, sqlite_copilot: Copilot, mini_room: str
) -> None:
    http = httpx.Client(base_url=server, timeout=30)
    assert http.get(f"/v1/rooms/{mini_room}/chat/events").status_code == 401
    host = bearer(sqlite_copilot, "host", room_id=mini_room)
    assert http.get(f"/v1/rooms/{mini_room}/chat/events", headers=host).status_code == 403
    viewer = bearer(sqlite_copilot, "viewer", room_id=mini_room, viewer_id="bob")
    assert http.get("/v1/tickets/events", headers=viewer).status_code == 403
    bad = {**viewer, "Last-Event-ID": "yesterday"}
    assert http.get(f"/v1/rooms/{mini_room}/chat/events", headers=bad).status_code == 422


FIRST = "明前龙井绿茶直播价¥128，日常价¥168，还有42件。"


def test_an_llm_answer_streams_sentence_by_sentence_then_the_stored_message(
    server: str, sqlite_copilot: Copilot, mini_room: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice = bearer(sqlite_copilot, "viewer", room_id=mini_room, viewer_id="alice")
    with scripted_endpoint() as (base_url, script):
        script.reply = "明前龙井绿茶直播价¥128 [1]，日常价¥168，还有42件 [1]。 欢迎下单哦。"
        script.pause_s = 0.05
        composer = llm_composer(
            GroundedComposer(sqlite_copilot.embedder),
            base_url,
            first_token_s=5,
            total_s=10,
            on_partial=lambda context, text: sqlite_copilot.delivery.answer_so_far(
                context.room_id, context.viewer_id, text
            ),
        )
        monkeypatch.setitem(sqlite_copilot.__dict__, "composer", composer)
        http = httpx.Client(base_url=server, timeout=60)
        with read_events(f"{server}/v1/rooms/{mini_room}/chat/events", alice) as viewer:
            assert viewer.drain() == []  # a new thread: nothing yet
            asked = http.post(
                f"/v1/rooms/{mini_room}/questions", json={"text": "龙井多少钱"}, headers=alice
            )
            assert asked.status_code == 200 and asked.json()["composer"] == "llm"
            events = viewer.drain(wait=1.0)
    partials = [e["text"] for event_id, e in events if e.get("partial")]
    stored = [e for event_id, e in events if event_id is not None]
    assert partials == [FIRST, f"{FIRST} 欢迎下单哦。"]  # once the facts are all in
    assert all(event_id is None for event_id, e in events if e.get("partial"))  # not resumable
    assert [e["role"] for e in stored] == ["viewer", "copilot"]
    assert stored[-1]["text"] == asked.json()["answer"] == partials[-1]
    last_partial = max(i for i, (_, e) in enumerate(events) if e.get("partial"))
    reply_at = next(
        i for i, (event_id, e) in enumerate(events) if e.get("role") == "copilot" and event_id
    )
    assert last_partial < reply_at  # the stored reply supersedes, so it comes last

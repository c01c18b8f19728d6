"""The viewer's thread and the agents' desk through the API: one ticket per viewer and room,
its life from open to resolved, drafts while an agent holds it, notes, canned replies, metrics."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from copilot.accounts.models import Role
from copilot.accounts.repository import UserRepository
from copilot.accounts.service import token_for_user
from copilot.escalation.repository import PresenceRepository
from copilot.runtime import Copilot
from tests.api.browser_sessions import add_user
from tests.conftest import bearer

DAMAGED = "我收到的茶叶罐子摔坏了，怎么办"


def staff_headers(copilot: Copilot, role: Role) -> tuple[str, dict[str, str]]:
    """A new staff account of the role and the Authorization header of its token."""
    username = add_user(copilot, role)
    with copilot.db.read_scope() as session:
        user = UserRepository(session).get(username)
        assert user is not None
        minted, _ = token_for_user(copilot.settings, user)
    return username, {"Authorization": f"Bearer {minted}"}


@pytest.fixture
def desk(
    sqlite_copilot: Copilot, mini_room: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[dict[str, Any]]:
    """A fresh room, its viewer alice, two agents and a supervisor; no round-robin."""
    # Consoles other tests left open would otherwise be offered these tickets.
    monkeypatch.setattr(sqlite_copilot.settings, "auto_assign", False)
    app = create_app(copilot=sqlite_copilot)
    with TestClient(app) as client:
        people: dict[str, Any] = {"client": client, "room": mini_room}
        people["alice"] = bearer(sqlite_copilot, "viewer", room_id=mini_room, viewer_id="alice")
        for name, role in (("agent", Role.agent), ("other", Role.agent), ("lead", Role.supervisor)):
            people[f"{name}_name"], people[name] = staff_headers(sqlite_copilot, role)
        yield people


def ask(desk: dict[str, Any], text: str) -> dict[str, Any]:
    response = desk["client"].post(
        f"/v1/rooms/{desk['room']}/questions", json={"text": text}, headers=desk["alice"]
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def viewer_messages(desk: dict[str, Any]) -> list[dict[str, Any]]:
    response = desk["client"].get(f"/v1/rooms/{desk['room']}/chat/messages", headers=desk["alice"])
    assert response.status_code == 200, response.text
    return list(response.json())


def ticket(desk: dict[str, Any], ticket_id: str, who: str = "agent") -> dict[str, Any]:
    response = desk["client"].get(f"/v1/tickets/{ticket_id}", headers=desk[who])
    assert response.status_code == 200, response.text
    return dict(response.json())


def patch(desk: dict[str, Any], ticket_id: str, who: str, **body: Any) -> Any:
    return desk["client"].patch(f"/v1/tickets/{ticket_id}", json=body, headers=desk[who])


def send(desk: dict[str, Any], ticket_id: str, who: str, text: str, internal: bool = False) -> Any:
    return desk["client"].post(
        f"/v1/tickets/{ticket_id}/messages",
        json={"text": text, "internal": internal},
        headers=desk[who],
    )


def test_one_thread_from_escalation_to_rating(desk: dict[str, Any]) -> None:
    first = ask(desk, DAMAGED)
    assert first["action"] == "escalate"
    ticket_id = first["ticket_id"]
    assert "照片" in first["answer"]  # what the person will need: a photo of the damage
    assert "reason" not in first and "intent" not in first

    # A second hand-over while the ticket waits in the queue joins it: still one ticket.
    again = ask(desk, "我要退款，东西是坏的")
    assert again["action"] == "escalate" and again["ticket_id"] == ticket_id
    # An answerable question is still answered while nobody holds the ticket.
    price = ask(desk, "龙井多少钱")
    assert price["action"] == "answer" and "128" in price["answer"]
    queue = desk["client"].get(f"/v1/tickets?room={desk['room']}", headers=desk["agent"]).json()
    assert [t["id"] for t in queue] == [ticket_id]
    assert queue[0]["priority"] == 1  # after-sales first
    assert queue[0]["order_id"] == "DD20261101001"  # alice's order of the tea that broke?

    claimed = patch(desk, ticket_id, "agent", assignee=desk["agent_name"])
    assert claimed.status_code == 200 and claimed.json()["status"] == "assigned"

    # While an agent holds it the copilot drafts for the agent and says nothing to the viewer.
    before = len(viewer_messages(desk))
    held = ask(desk, "龙井多少钱")
    assert held["action"] == "escalate" and held["ticket_id"] == ticket_id and held["answer"] == ""
    assert [m["role"] for m in viewer_messages(desk)[before:]] == ["viewer"]
    assert "128" in (ticket(desk, ticket_id)["draft"] or "")

    reply = send(desk, ticket_id, "agent", "亲，麻烦拍一下破损的照片发给我")
    assert reply.status_code == 201
    note = send(desk, ticket_id, "agent", "INTERNAL: 疑似快递压坏，找顺丰理赔", internal=True)
    assert note.status_code == 201
    seen = viewer_messages(desk)
    assert seen[-1]["role"] == "agent" and "照片" in seen[-1]["text"]
    assert not any("INTERNAL" in m["text"] for m in seen)  # a note never reaches the viewer
    view = ticket(desk, ticket_id)
    assert view["status"] == "waiting" and view["first_response_at"] and view["draft"] is None
    assert any(m["internal"] and "INTERNAL" in m["text"] for m in view["conversation"])
    assert [o["order_id"] for o in view["orders"] if o["concerned"]] == ["DD20261101001"]

    # The viewer answers: the ticket waits on the agent again.
    ask(desk, "好的我拍一下")
    assert ticket(desk, ticket_id)["status"] == "assigned"

    assert patch(desk, ticket_id, "agent", status="resolved").status_code == 200
    assert viewer_messages(desk)[-1]["kind"] == "resolved"
    mine = desk["client"].get(f"/v1/rooms/{desk['room']}/chat/ticket", headers=desk["alice"])
    assert mine.json()["ticket"] == {
        "id": ticket_id,
        "status": "resolved",
        "with_agent": False,
        "can_rate": True,
        "rating": None,
    }
    rated = desk["client"].post(
        f"/v1/rooms/{desk['room']}/chat/rating", json={"score": 5}, headers=desk["alice"]
    )
    assert rated.status_code == 200
    twice = desk["client"].post(
        f"/v1/rooms/{desk['room']}/chat/rating", json={"score": 1}, headers=desk["alice"]
    )
    assert twice.status_code == 409

    # Needing a person again soon after reopens the same ticket.
    reopened = ask(desk, "又坏了一个，我要找人工")
    assert reopened["ticket_id"] == ticket_id
    view = ticket(desk, ticket_id)
    assert view["status"] in ("open", "assigned") and view["csat"] == 5
    actions = [e["action"] for e in view["trail"]]
    for expected in (
        "created",
        "claimed",
        "viewer_message",
        "replied",
        "note",
        "resolved",
        "rated",
        "reopened",
    ):
        assert expected in actions, (expected, actions)
    assert all(e["actor"] and e["at"] for e in view["trail"])


def test_claims_and_reassignment_follow_roles(desk: dict[str, Any]) -> None:
    ticket_id = ask(desk, DAMAGED)["ticket_id"]
    assert patch(desk, ticket_id, "agent", assignee=desk["agent_name"]).status_code == 200
    # Another agent can neither take a held ticket nor hand one to someone else.
    assert patch(desk, ticket_id, "other", assignee=desk["other_name"]).status_code == 409
    assert send(desk, ticket_id, "other", "我来回复").status_code == 409
    assert patch(desk, ticket_id, "agent", assignee=desk["other_name"]).status_code == 403
    # A supervisor reassigns; the trail says who did it.
    moved = patch(desk, ticket_id, "lead", assignee=desk["other_name"])
    assert moved.status_code == 200 and moved.json()["assignee"] == desk["other_name"]
    trail = ticket(desk, ticket_id)["trail"]
    assert trail[-1]["actor"] == desk["lead_name"] and trail[-1]["action"] == "assigned"
    assert patch(desk, ticket_id, "lead", assignee="nobody-here").status_code == 422
    # A viewer token reaches none of this.
    assert patch(desk, ticket_id, "alice", status="resolved").status_code == 403
    assert desk["client"].get(f"/v1/tickets/{ticket_id}", headers=desk["alice"]).status_code == 403


def test_talk_to_a_person_and_canned_replies(desk: dict[str, Any]) -> None:
    ask(desk, "我的订单 DD20261101001 到哪了")
    handed = desk["client"].post(
        f"/v1/rooms/{desk['room']}/chat/hand-over", json={"language": "zh"}, headers=desk["alice"]
    )
    assert handed.status_code == 200, handed.text
    body = handed.json()
    assert body["action"] == "escalate" and "人工" in body["answer"]
    view = ticket(desk, body["ticket_id"])
    assert view["intent"] == "human" and view["priority"] == 2
    replies = (
        desk["client"]
        .get(f"/v1/tickets/{body['ticket_id']}/canned-replies", headers=desk["agent"])
        .json()
    )
    tracking = next(r for r in replies if r["id"] == "tracking")
    order = next(o for o in view["orders"] if o["concerned"]) if view["order_id"] else None
    if order is not None:  # filled from the order concerned
        assert order["tracking_no"] in tracking["text"] and tracking["missing"] == []
    else:  # or left for the agent to fill, and said so
        assert tracking["missing"] and "【" in tracking["text"]


def test_replay_links_use_the_address_the_request_came_in_on(
    desk: dict[str, Any], sqlite_copilot: Copilot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_copilot.settings, "public_url", "")
    ticket_id = ask(desk, DAMAGED)["ticket_id"]
    links = ticket(desk, ticket_id)["replay"]
    assert links and all(link.startswith("http://testserver/replay/") for link in links)
    assert len(links) <= 3
    monkeypatch.setattr(sqlite_copilot.settings, "public_url", "https://shop.example")
    links = ticket(desk, ticket_id)["replay"]
    assert all(link.startswith("https://shop.example/replay/") for link in links)


def test_metrics_per_room_and_agent(desk: dict[str, Any]) -> None:
    ticket_id = ask(desk, DAMAGED)["ticket_id"]
    ask(desk, "龙井多少钱")
    send(desk, ticket_id, "agent", "收到，马上处理")
    patch(desk, ticket_id, "agent", status="resolved")
    desk["client"].post(
        f"/v1/rooms/{desk['room']}/chat/rating", json={"score": 4}, headers=desk["alice"]
    )
    figures = (
        desk["client"].get(f"/v1/tickets/metrics?room={desk['room']}", headers=desk["lead"]).json()
    )
    room = figures["rooms"][desk["room"]]
    assert room["tickets"] == 1 and room["resolved"] == 1 and room["csat"] == 4.0
    assert room["answered"] >= 1 and 0 < room["deflection"] < 1
    assert room["within_sla"] == 1.0 and room["first_response_p50_s"] is not None
    assert figures["overall"]["deflection"] == room["deflection"]  # one room: the same share
    agent = figures["agents"][desk["agent_name"]]
    assert agent["tickets"] == 1 and agent["ratings"] == 1


def test_round_robin_among_online_agents_under_their_cap(
    desk: dict[str, Any], sqlite_copilot: Copilot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_copilot.settings, "auto_assign", True)
    monkeypatch.setattr(sqlite_copilot.settings, "agent_max_open", 2)
    with sqlite_copilot.db.session_scope() as session:
        for present in PresenceRepository(session).online(3600):  # other tests' consoles
            PresenceRepository(session).leave(present.username)
        PresenceRepository(session).beat(desk["agent_name"])
        PresenceRepository(session).beat(desk["other_name"])
    viewers = [f"rr-{n}" for n in range(5)]
    assignees = []
    for viewer in viewers:
        headers = bearer(sqlite_copilot, "viewer", room_id=desk["room"], viewer_id=viewer)
        result = (
            desk["client"]
            .post(f"/v1/rooms/{desk['room']}/questions", json={"text": DAMAGED}, headers=headers)
            .json()
        )
        assignees.append(ticket(desk, result["ticket_id"])["assignee"])
    first, second = desk["agent_name"], desk["other_name"]
    # Turn about, two each (the cap), and the fifth waits in the queue for whoever frees up.
    assert sorted(assignees[:4]) == sorted([first, first, second, second])
    assert assignees[0] != assignees[1] and assignees[4] is None
    with sqlite_copilot.db.session_scope() as session:
        PresenceRepository(session).leave(first)
        PresenceRepository(session).leave(second)

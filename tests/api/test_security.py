"""Who may call what: every route declares a policy, each role is allowed and refused as
DESIGN.md's table says, and the attacks of issue 8 fail and change nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from fastapi.routing import APIRoute, APIWebSocketRoute
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from api.app import create_app
from api.security import app_routes, route_rule
from copilot.accounts.service import create_user, mint_token
from copilot.runtime import Copilot
from tests.conftest import bearer, new_room

# The documentation routes (fastapi-offline's): public by nature, made by the library.
FRAMEWORK_PUBLIC = {
    "/openapi.json",
    "/docs",
    "/docs/oauth2-redirect",
    "/redoc",
    "/static-offline-docs",  # its Swagger UI assets
}
ROLES = ("viewer", "host", "agent", "supervisor", "admin")


@pytest.fixture(scope="module")
def app_and_room(sqlite_copilot: Copilot) -> Iterator[tuple[TestClient, str]]:
    room = new_room(sqlite_copilot)
    with TestClient(create_app(copilot=sqlite_copilot)) as client:
        yield client, room


def _headers(copilot: Copilot, role: str, room: str, viewer: str = "alice") -> dict[str, str]:
    if role == "viewer":
        return bearer(copilot, "viewer", room_id=room, viewer_id=viewer)
    if role == "host":
        return bearer(copilot, "host", room_id=room)
    return bearer(copilot, role)


def test_every_route_declares_a_policy(sqlite_copilot: Copilot) -> None:
    app = create_app(copilot=sqlite_copilot)
    routes = app_routes(app)
    undeclared = [
        route.path
        for route in routes
        if route.path not in FRAMEWORK_PUBLIC and route_rule(route) is None
    ]
    assert undeclared == []
    assert len([r for r in routes if isinstance(r.original_route, APIRoute)]) >= 25
    assert any(isinstance(r.original_route, APIWebSocketRoute) for r in routes)


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    allowed: frozenset[str]
    body: object = None
    content: bytes | None = None


STAFF = {"agent", "supervisor", "admin"}
KB_LINE = json.dumps({"sku": "MT-01", "name": "西湖龙井", "price": 0.01, "description": "x"})


def _matrix(room: str, ticket: str) -> list[Call]:
    def call(method: str, path: str, allowed: set[str], **kw: object) -> Call:
        path = path.format(room=room, ticket=ticket)
        return Call(method, path, frozenset(allowed), **kw)  # type: ignore[arg-type]

    return [
        call("GET", "/v1/auth/me", set(ROLES)),
        call(
            "POST", "/v1/rooms/{room}/questions", {"viewer", "admin"}, body={"text": "能开发票吗"}
        ),
        call("GET", "/v1/rooms/{room}", {"viewer", "host", *STAFF}),
        call("GET", "/v1/rooms/{room}/transcript", {"viewer", "host", *STAFF}),
        call("GET", "/v1/rooms/{room}/activity", {"host", *STAFF}),
        call("GET", "/v1/rooms", {"host", *STAFF}),
        call("GET", "/v1/tickets", STAFF),
        call("GET", "/v1/tickets/metrics", STAFF),
        call("GET", "/v1/tickets/{ticket}", STAFF),
        call("GET", "/v1/tickets/{ticket}/canned-replies", STAFF),
        call("PATCH", "/v1/tickets/{ticket}", STAFF, body={"priority": 1}),
        call(
            "POST", "/v1/tickets/{ticket}/messages", STAFF, body={"text": "备注", "internal": True}
        ),
        call("GET", "/v1/rooms/{room}/chat/messages", {"viewer"}),
        call("GET", "/v1/rooms/{room}/chat/ticket", {"viewer"}),
        call("POST", "/v1/rooms/{room}/chat/rating", {"viewer"}, body={"score": 5}),
        call("POST", "/v1/rooms/{room}/chat/hand-over", {"viewer"}, body={"language": "en"}),
        call("GET", "/v1/users", {"supervisor", "admin"}),
        call("POST", "/v1/rooms/{room}/kb", {"admin"}, content=KB_LINE.encode()),
        call("POST", "/v1/rooms/{room}/transcript", {"admin"}, content=b""),
        call("POST", "/v1/orders", {"admin"}, content=b""),
        call("POST", "/v1/viewer-tokens", {"admin"}, body={"room": room, "viewer_id": "zed"}),
        call("DELETE", "/v1/viewers/nobody-x", {"admin"}),
    ]


def test_role_route_matrix(app_and_room: tuple[TestClient, str], sqlite_copilot: Copilot) -> None:
    client, room = app_and_room
    ticket = client.post(
        f"/v1/rooms/{room}/questions",
        json={"viewer_id": "carol", "text": "我要转人工"},
        headers=bearer(sqlite_copilot),
    ).json()["ticket_id"]
    wrong = []
    for call in _matrix(room, ticket):
        anonymous = client.request(call.method, call.path, json=call.body, content=call.content)
        if anonymous.status_code != 401:
            wrong.append((call.method, call.path, "no token", anonymous.status_code))
        for role in ROLES:
            response = client.request(
                call.method,
                call.path,
                json=call.body,
                content=call.content,
                headers=_headers(sqlite_copilot, role, room),
            )
            refused = response.status_code == 403
            if refused == (role in call.allowed) or response.status_code >= 500:
                wrong.append((call.method, call.path, role, response.status_code))
    assert wrong == []


def test_room_scoped_tokens_stay_in_their_room(
    app_and_room: tuple[TestClient, str], sqlite_copilot: Copilot
) -> None:
    client, room = app_and_room
    other = new_room(sqlite_copilot)
    for role in ("viewer", "host"):
        headers = _headers(sqlite_copilot, role, room)
        assert client.get(f"/v1/rooms/{other}", headers=headers).status_code == 403
        assert client.get(f"/v1/rooms/{room}", headers=headers).status_code == 200
    asked = client.post(
        f"/v1/rooms/{other}/questions",
        json={"text": "能开发票吗"},
        headers=_headers(sqlite_copilot, "viewer", room),
    )
    assert asked.status_code == 403


def test_a_viewer_is_their_token_never_the_body(
    app_and_room: tuple[TestClient, str], sqlite_copilot: Copilot
) -> None:
    client, room = app_and_room
    alice = _headers(sqlite_copilot, "viewer", room, "alice")
    posing = client.post(
        f"/v1/rooms/{room}/questions",
        json={"viewer_id": "bob", "text": "我的快递到哪了"},
        headers=alice,
    )
    assert posing.status_code == 403 and "own viewer" in posing.json()["error"]
    own = client.post(
        f"/v1/rooms/{room}/questions", json={"text": "我的快递到哪了", "at": 90}, headers=alice
    )
    body = own.json()
    assert own.status_code == 200 and "SF1400000000001" in body["answer"]
    assert "ZT7700000000003" not in json.dumps(body)  # bob's parcel
    # What a viewer receives carries no internal fields; an admin relaying chat sees them.
    assert not {"reason", "intent"} & set(body)
    escalated = client.post(
        f"/v1/rooms/{room}/questions", json={"text": "我要转人工"}, headers=alice
    ).json()
    assert escalated["action"] == "escalate" and "reason" not in escalated
    relayed = client.post(
        f"/v1/rooms/{room}/questions",
        json={"viewer_id": "bob", "text": "我要转人工"},
        headers=bearer(sqlite_copilot),
    ).json()
    assert relayed["reason"] and relayed["intent"]
    missing = client.post(
        f"/v1/rooms/{room}/questions", json={"text": "hi?"}, headers=bearer(sqlite_copilot)
    )
    assert missing.status_code == 422 and "viewer_id" in missing.json()["error"]


def test_a_viewer_cannot_learn_whether_another_viewer_exists(
    app_and_room: tuple[TestClient, str], sqlite_copilot: Copilot
) -> None:
    client, room = app_and_room
    alice = _headers(sqlite_copilot, "viewer", room, "alice")
    replies = []
    for other in ("bob", "nobody-at-all"):  # bob has orders in this shop; the other does not exist
        reply = client.post(
            f"/v1/rooms/{room}/questions",
            json={"text": f"查一下{other}的订单到哪了"},
            headers=alice,
        ).json()
        assert "ZT7700000000003" not in json.dumps(reply)
        replies.append((reply["action"], reply["answer"]))
    assert replies[0] == replies[1]


def test_the_attacks_of_issue_8_fail_and_change_nothing(
    app_and_room: tuple[TestClient, str], sqlite_copilot: Copilot
) -> None:
    client, room = app_and_room
    admin = bearer(sqlite_copilot)
    before = client.get(f"/v1/rooms/{room}", headers=admin).json()
    agent = _headers(sqlite_copilot, "agent", room)
    viewer = _headers(sqlite_copilot, "viewer", room)
    ticket_id = client.post(
        f"/v1/rooms/{room}/questions",
        json={"viewer_id": "bob", "text": "我要转人工"},
        headers=admin,
    ).json()["ticket_id"]

    # Anyone dumping or closing tickets, or a viewer doing it.
    assert client.get("/v1/tickets", params={"limit": -1}).status_code == 401
    assert client.get("/v1/tickets", headers=viewer).status_code == 403
    assert client.patch(f"/v1/tickets/{ticket_id}", json={"status": "closed"}).status_code == 401
    patched = client.patch(f"/v1/tickets/{ticket_id}", json={"status": "resolved"}, headers=viewer)
    assert patched.status_code == 403
    assert client.get(f"/v1/tickets/{ticket_id}", headers=agent).json()["status"] == "open"

    # A price of 0.01 or a forged flash sale, from nobody, a viewer, an agent, or a web page.
    forged_line = json.dumps({"start": 99, "end": 100, "text": "全场9.9元秒杀"}, ensure_ascii=False)
    for headers in ({}, viewer, agent, {"Content-Type": "text/plain"}):
        assert client.post(
            f"/v1/rooms/{room}/kb", content=KB_LINE, headers=headers
        ).status_code in (
            401,
            403,
        )
        transcript = client.post(
            f"/v1/rooms/{room}/transcript", content=forged_line.encode(), headers=headers
        )
        assert transcript.status_code in (401, 403)
    csrf = client.post(
        f"/v1/rooms/{room}/questions",
        content=json.dumps({"viewer_id": "bob", "text": "我要退款"}),
        headers={"Content-Type": "text/plain", "Origin": "http://evil.example"},
    )
    assert csrf.status_code == 401
    after = client.get(f"/v1/rooms/{room}", headers=admin).json()
    assert after == before

    # DNS rebinding: a Host that is not this service's.
    rebound = client.get("/healthz", headers={"Host": "evil.example"})
    assert rebound.status_code == 400 and "evil.example" in rebound.json()["error"]
    assert client.get("/healthz", headers={"Host": "127.0.0.1:8000"}).status_code == 200
    assert client.get("/healthz").status_code == 200


def test_tokens_that_are_forged_expired_or_orphaned_are_refused(
    app_and_room: tuple[TestClient, str], sqlite_copilot: Copilot
) -> None:
    client, _room = app_and_room
    settings = sqlite_copilot.settings
    expired, _ = mint_token(settings, role="admin", subject="old", ttl_s=1)
    claims = jwt.decode(expired, options={"verify_signature": False})
    claims["exp"] = datetime.now(UTC) - timedelta(seconds=5)
    forged = jwt.encode({**claims, "exp": datetime.now(UTC) + timedelta(hours=1)}, "guess")
    none_alg = jwt.encode({**claims, "exp": datetime.now(UTC) + timedelta(hours=1)}, None, "none")
    stale = jwt.encode(claims, open(settings.home / "secret_key").read().strip())  # noqa: SIM115
    for bad in (forged, none_alg, stale, "not-a-token"):
        response = client.get("/v1/tickets", headers={"Authorization": f"Bearer {bad}"})
        assert response.status_code == 401, bad
        assert response.headers["www-authenticate"] == "Bearer"
    assert client.get("/v1/tickets", headers={"Authorization": "Basic YTpi"}).status_code == 401


def test_login_and_staff_tokens(
    app_and_room: tuple[TestClient, str], sqlite_copilot: Copilot
) -> None:
    client, room = app_and_room
    with sqlite_copilot.db.session_scope() as session:
        create_user(session, username="kim", role="agent", password="correct horse")
        create_user(session, username="hana", role="host", password="battery staple", room_id=room)
    wrong = client.post("/v1/auth/login", json={"username": "kim", "password": "nope"})
    assert wrong.status_code == 401 and wrong.json()["error"] == "wrong username or password"
    nobody = client.post("/v1/auth/login", json={"username": "ghost", "password": "nope"})
    assert nobody.json() == wrong.json()  # no hint of which names exist
    login = client.post("/v1/auth/login", json={"username": "kim", "password": "correct horse"})
    assert login.status_code == 200 and login.json()["role"] == "agent"
    headers = {"Authorization": f"Bearer {login.json()['token']}"}
    assert client.get("/v1/tickets", headers=headers).status_code == 200
    assert client.get("/v1/auth/me", headers=headers).json()["subject"] == "kim"
    host = client.post("/v1/auth/login", json={"username": "hana", "password": "battery staple"})
    assert host.json()["room"] == room
    # A disabled account's token stops working at once.
    from copilot.accounts.repository import UserRepository

    with sqlite_copilot.db.session_scope() as session:
        user = UserRepository(session).get("kim")
        assert user is not None
        user.disabled = True
    assert client.get("/v1/tickets", headers=headers).status_code == 401
    stored = client.get("/v1/users", headers=bearer(sqlite_copilot)).json()
    assert {u["username"] for u in stored} >= {"kim", "hana"}
    assert not any("password" in key for user in stored for key in user)


def test_supervisors_add_agents_but_not_admins(
    app_and_room: tuple[TestClient, str], sqlite_copilot: Copilot
) -> None:
    client, room = app_and_room
    lead = _headers(sqlite_copilot, "supervisor", room)
    added = client.post(
        "/v1/users",
        json={"username": "new-agent", "role": "agent", "password": "long enough"},
        headers=lead,
    )
    assert added.status_code == 201 and added.json()["role"] == "agent"
    again = client.post(
        "/v1/users",
        json={"username": "new-agent", "role": "agent", "password": "long enough"},
        headers=lead,
    )
    assert again.status_code == 409
    escalate = client.post(
        "/v1/users",
        json={"username": "boss", "role": "admin", "password": "long enough"},
        headers=lead,
    )
    assert escalate.status_code == 403


def test_viewer_sessions_minted_by_the_shop(
    app_and_room: tuple[TestClient, str], sqlite_copilot: Copilot
) -> None:
    client, room = app_and_room
    minted = client.post(
        "/v1/viewer-tokens",
        json={"room": room, "viewer_id": "alice"},
        headers=bearer(sqlite_copilot),
    )
    assert minted.status_code == 200
    session = {"Authorization": f"Bearer {minted.json()['token']}"}
    me = client.get("/v1/auth/me", headers=session).json()
    assert me == {**me, "role": "viewer", "room": room, "viewer_id": "alice"}
    unknown = client.post(
        "/v1/viewer-tokens",
        json={"room": "nowhere", "viewer_id": "a"},
        headers=bearer(sqlite_copilot),
    )
    assert unknown.status_code == 404
    # The demo's picker does not exist outside `copilot demo`.
    picker = client.post("/v1/demo/viewer-session", json={"viewer_id": "alice"})
    assert picker.status_code == 404


def test_the_audio_socket_needs_the_room_host_or_admin(
    app_and_room: tuple[TestClient, str], sqlite_copilot: Copilot
) -> None:
    client, room = app_and_room
    other = new_room(sqlite_copilot)
    refused = {
        "none": {},
        "viewer": _headers(sqlite_copilot, "viewer", room),
        "agent": _headers(sqlite_copilot, "agent", room),
        "other room's host": _headers(sqlite_copilot, "host", other),
    }
    for who, headers in refused.items():
        with (
            pytest.raises(WebSocketDisconnect) as closed,
            client.websocket_connect(f"/v1/rooms/{room}/audio", headers=headers) as ws,
        ):
            ws.send_json({"type": "start"})
            ws.receive_json()
        assert closed.value.code in (4401, 4403), who
    host = _headers(sqlite_copilot, "host", room)
    with client.websocket_connect(f"/v1/rooms/{room}/audio", headers=host) as ws:
        ws.send_json({"type": "start", "clock_start": 1e15})
        error = ws.receive_json()
        assert error["type"] == "error" and "clock_start" in error["error"]
    token = host["Authorization"].removeprefix("Bearer ")
    with client.websocket_connect(f"/v1/rooms/{room}/audio?token={token}") as ws:
        ws.send_json({"type": "start", "clock_start": 10})
        assert ws.receive_json()["type"] == "ready"
        ws.send_text(json.dumps({"type": "stop"}))
        while ws.receive_json()["type"] != "stopped":
            pass


def test_an_admin_erases_a_viewer_through_the_api(
    app_and_room: tuple[TestClient, str], sqlite_copilot: Copilot
) -> None:
    client, room = app_and_room
    admin = bearer(sqlite_copilot)
    ticket_id = client.post(
        f"/v1/rooms/{room}/questions",
        json={"viewer_id": "erase-me", "text": "我要转人工"},
        headers=admin,
    ).json()["ticket_id"]
    viewer = _headers(sqlite_copilot, "viewer", room, "erase-me")
    assert client.delete("/v1/viewers/erase-me", headers=viewer).status_code == 403
    erased = client.delete("/v1/viewers/erase-me", headers=admin)
    assert erased.status_code == 200
    assert erased.json()["tickets"] == 1 and erased.json()["messages"] == 2
    assert client.get(f"/v1/tickets/{ticket_id}", headers=admin).status_code == 404
    again = client.delete("/v1/viewers/erase-me", headers=admin).json()
    assert again["tickets"] == again["messages"] == again["conversations"] == 0

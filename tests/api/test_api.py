"""The HTTP API: the result object, loading endpoints, tickets and clear 4xx errors."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from copilot.runtime import Copilot
from tests.conftest import new_room


def test_question_returns_the_result_object(client: TestClient, sqlite_copilot: Copilot) -> None:
    room = new_room(sqlite_copilot)
    response = client.post(
        f"/v1/rooms/{room}/questions", json={"viewer_id": "alice", "text": "龙井多少钱", "at": 30}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["action"] == "answer" and "¥128" in body["answer"]
    assert set(body) >= {"action", "answer", "citations", "replay", "latency_ms"}


def test_question_errors_are_4xx_with_messages(client: TestClient, sqlite_copilot: Copilot) -> None:
    room = new_room(sqlite_copilot)
    unknown = client.post("/v1/rooms/nowhere/questions", json={"viewer_id": "a", "text": "hi?"})
    assert unknown.status_code == 404 and "nowhere" in unknown.json()["error"]
    empty = client.post(f"/v1/rooms/{room}/questions", json={"viewer_id": "a", "text": "  "})
    assert empty.status_code == 422 and "empty" in empty.json()["error"]
    long = client.post(f"/v1/rooms/{room}/questions", json={"viewer_id": "a", "text": "x" * 501})
    assert long.status_code == 413 and "500" in long.json()["error"]
    malformed = client.post(
        f"/v1/rooms/{room}/questions",
        content=b'{"viewer_id": "a", "te',
        headers={"content-type": "application/json"},
    )
    assert malformed.status_code == 422 and malformed.json()["error"]
    missing = client.post(f"/v1/rooms/{room}/questions", json={"text": "多少钱"})
    assert missing.status_code == 422 and "viewer_id" in missing.json()["error"]
    # The server keeps serving after bad requests.
    ok = client.post(f"/v1/rooms/{room}/questions", json={"viewer_id": "a", "text": "能开发票吗"})
    assert ok.status_code == 200


def test_loading_endpoints(client: TestClient) -> None:
    products = "\n".join(
        json.dumps(o, ensure_ascii=False)
        for o in [
            {
                "sku": "Q-1",
                "name": "荔枝红茶",
                "price": 50,
                "live_price": 45,
                "stock": 9,
                "description": "广东荔枝红茶",
                "attributes": {"产地": "广东"},
            },
            {"id": "policy-ship", "q": "发什么快递", "a": "默认圆通快递"},
        ]
    )
    loaded = client.post("/v1/rooms/api-room/kb", content=products.encode())
    assert loaded.status_code == 200 and loaded.json()["products"] == 1
    segments = json.dumps({"start": 0, "end": 6, "text": "今天先看荔枝红茶"}, ensure_ascii=False)
    assert (
        client.post("/v1/rooms/api-room/transcript", content=segments.encode()).status_code == 200
    )
    room = client.get("/v1/rooms/api-room").json()
    assert room["products"][0]["sku"] == "Q-1" and room["transcript_segments"] == 1
    answer = client.post(
        "/v1/rooms/api-room/questions", json={"viewer_id": "z", "text": "这个多少钱", "at": 10}
    ).json()
    assert "¥45" in answer["answer"]


def test_malformed_upload_reports_line_and_loads_nothing(client: TestClient) -> None:
    body = '{"sku": "W-1", "name": "a", "price": 1}\n{"sku": "W-2", "name": "b"}\n'
    response = client.post("/v1/rooms/broken-room/kb", content=body.encode())
    assert response.status_code == 422
    assert response.json()["line"] == 2 and response.json()["field"] == "price"
    assert client.get("/v1/rooms/broken-room").status_code == 404
    not_utf8 = client.post("/v1/orders", content="订单".encode("gbk"))
    assert not_utf8.status_code == 400


def test_tickets_list_get_and_update(client: TestClient, sqlite_copilot: Copilot) -> None:
    room = new_room(sqlite_copilot)
    created = client.post(
        f"/v1/rooms/{room}/questions", json={"viewer_id": "alice", "text": "我要转人工", "at": 12}
    ).json()
    assert created["action"] == "escalate"
    listed = client.get("/v1/tickets", params={"room": room}).json()
    assert [t["id"] for t in listed] == [created["ticket_id"]]
    ticket = client.get(f"/v1/tickets/{created['ticket_id']}").json()
    assert ticket["conversation"][0]["text"] == "我要转人工"
    assert any(o["order_id"] == "DD20261101001" for o in ticket["orders"])
    assert ticket["replay"][0].endswith("?t=12")
    closed = client.patch(f"/v1/tickets/{created['ticket_id']}", json={"status": "resolved"})
    assert closed.json()["status"] == "resolved"
    unknown = client.patch(f"/v1/tickets/{created['ticket_id']}", json={"status": "closed"})
    assert unknown.status_code == 422
    assert client.get("/v1/tickets/nope").status_code == 404


def test_openapi_docs(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert "/v1/rooms/{room}/questions" in spec["paths"]
    assert client.get("/docs").status_code == 200

"""Rate limits through the API: 429 with Retry-After, per viewer and per room, in process and
shared by two app instances (workers) through a real Redis."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from copilot.config import Settings
from copilot.runtime import Copilot
from knowledge.embedder import Embedder
from tests.conftest import TEST_HOSTS, bearer, new_room


def _copilot(home: Path, embedder: Embedder, **settings: object) -> Copilot:
    return Copilot(
        Settings(home=home, allowed_hosts=TEST_HOSTS, **settings),  # type: ignore[arg-type]
        embedder=embedder,
    )


def _ask(client: TestClient, copilot: Copilot, room: str, viewer: str) -> int:
    headers = bearer(copilot, "viewer", room_id=room, viewer_id=viewer)
    return client.post(
        f"/v1/rooms/{room}/questions", json={"text": "能开发票吗"}, headers=headers
    ).status_code


def test_a_viewer_over_their_rate_gets_429_and_others_do_not(
    home: Path, embedder: Embedder
) -> None:
    copilot = _copilot(home, embedder, rate_viewer_per_min=6, rate_viewer_burst=2)
    room = new_room(copilot)
    with TestClient(create_app(copilot=copilot)) as client:
        assert [_ask(client, copilot, room, "alice") for _ in range(2)] == [200, 200]
        refused = client.post(
            f"/v1/rooms/{room}/questions",
            json={"text": "能开发票吗"},
            headers=bearer(copilot, "viewer", room_id=room, viewer_id="alice"),
        )
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["retry-after"]) <= 10  # 6/min: a token every 10 s
        assert refused.json()["error"] and refused.json()["retry_after_s"] > 0
        assert _ask(client, copilot, room, "bob") == 200


def test_a_room_over_its_rate_gets_429(home: Path, embedder: Embedder) -> None:
    copilot = _copilot(home, embedder, rate_room_per_s=0.1, rate_room_burst=3)
    room = new_room(copilot)
    with TestClient(create_app(copilot=copilot)) as client:
        codes = [_ask(client, copilot, room, f"viewer-{i}") for i in range(5)]
    assert codes == [200, 200, 200, 429, 429]


@pytest.mark.redis
def test_workers_share_the_buckets_through_redis(home: Path, embedder: Embedder) -> None:
    url = os.environ.get("COPILOT_TEST_REDIS_URL", "")
    if not url:
        pytest.skip("COPILOT_TEST_REDIS_URL is not set (run `make test`)")
    workers = [
        _copilot(home, embedder, redis_url=url, rate_viewer_per_min=1, rate_viewer_burst=2)
        for _ in range(2)
    ]
    room = new_room(workers[0])
    viewer = f"v-{uuid.uuid4().hex[:8]}"  # a fresh bucket whatever earlier runs left in Redis
    with (
        TestClient(create_app(copilot=workers[0])) as first,
        TestClient(create_app(copilot=workers[1])) as second,
    ):
        assert _ask(first, workers[0], room, viewer) == 200
        assert _ask(second, workers[1], room, viewer) == 200
        assert _ask(first, workers[0], room, viewer) == 429
        assert _ask(second, workers[1], room, viewer) == 429

"""Across processes, through a real Redis: a viewer streaming from one server receives what an
agent sent through another (`copilot serve --workers 2`), and resumes after a restart."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from copilot.accounts.models import Role
from copilot.config import Settings
from copilot.pipeline import ask
from copilot.runtime import Copilot
from tests.api.sse import read_events
from tests.api.test_desk import DAMAGED, staff_headers
from tests.conftest import NO_RATE_LIMITS, TEST_HOSTS, bearer, new_room

START_TIMEOUT_S = 240.0  # each server loads its models (from the session's warm caches)


@pytest.fixture(scope="module")
def redis_url() -> str:
    url = os.environ.get("COPILOT_TEST_REDIS_URL", "")
    if not url:
        pytest.skip("COPILOT_TEST_REDIS_URL is not set (run `make test`)")
    return url


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def copilot_serve(
    home: Path, redis_url: str, workers: int, log: Path
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`copilot serve` in a subprocess on the session's data directory and the test Redis."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("COPILOT_")}
    env.update(
        COPILOT_HOME=str(home),
        COPILOT_REDIS_URL=redis_url,
        COPILOT_RATE_VIEWER_PER_MIN="0",
        COPILOT_RATE_ROOM_PER_S="0",
    )
    command = [
        sys.executable,
        "-m",
        "copilot.cli",
        "serve",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if process.poll() is not None:
                raise RuntimeError(
                    f"copilot serve exited: {log.read_text(errors='replace')[-2000:]}"
                )
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"copilot serve did not start: {log}")
            time.sleep(0.5)
        yield base, process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


@pytest.fixture
def shared(sqlite_copilot: Copilot, tmp_path: Path) -> Copilot:
    """A data directory of its own (one room, so servers start fast) with the session's caches."""
    home = tmp_path / "home"
    home.mkdir()
    source = sqlite_copilot.settings.home
    shutil.copytree(source / "models", home / "models")
    shutil.copy(source / "embeddings.sqlite", home / "embeddings.sqlite")
    settings = Settings(home=home, allowed_hosts=TEST_HOSTS, **NO_RATE_LIMITS)
    return Copilot(settings, embedder=sqlite_copilot.embedder)


def test_a_reply_sent_through_one_server_reaches_a_viewer_on_another(
    shared: Copilot, redis_url: str, tmp_path: Path
) -> None:
    home = shared.settings.home
    room = new_room(shared)
    ticket_id = ask(shared, room_id=room, viewer_id="alice", text=DAMAGED).ticket_id
    assert ticket_id
    alice = bearer(shared, "viewer", room_id=room, viewer_id="alice")
    _, agent = staff_headers(shared, Role.agent)
    shared.db.engine.dispose()  # the servers own the file from here
    with copilot_serve(home, redis_url, 2, tmp_path / "agents.log") as (agents, _):
        reply = f"{agents}/v1/tickets/{ticket_id}/messages"
        with copilot_serve(home, redis_url, 1, tmp_path / "viewers.log") as (viewers, _):
            chat = f"{viewers}/v1/rooms/{room}/chat/events"
            with read_events(chat, alice) as viewer:
                history = viewer.drain()
                sent = time.monotonic()
                assert (
                    httpx.post(reply, json={"text": "跨进程的回复"}, headers=agent).status_code
                    == 201
                )
                last_id, message = viewer.next(timeout=5)
                assert message["text"] == "跨进程的回复"
                assert time.monotonic() - sent < 1.0
            assert [e["role"] for _, e in history] == ["viewer", "copilot"]
        # The viewers' server is down: what the agent sends meanwhile waits in the store.
        for text in ("重启时的第一条", "重启时的第二条"):
            assert httpx.post(reply, json={"text": text}, headers=agent).status_code == 201
        with copilot_serve(home, redis_url, 1, tmp_path / "viewers-again.log") as (viewers, _):
            chat = f"{viewers}/v1/rooms/{room}/chat/events"
            with read_events(chat, {**alice, "Last-Event-ID": str(last_id)}) as viewer:
                assert [e["text"] for _, e in viewer.drain()] == [
                    "重启时的第一条",
                    "重启时的第二条",
                ]
                assert httpx.post(reply, json={"text": "恢复后"}, headers=agent).status_code == 201
                assert viewer.next(timeout=5)[1]["text"] == "恢复后"

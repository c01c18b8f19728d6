"""What the browser tests share: serving an app under uvicorn, staff users, and the sessions the
pages keep in localStorage (api/pages/common.js), stored directly when a test is not about login."""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from copilot.accounts.models import Role
from copilot.accounts.service import create_user
from copilot.runtime import Copilot
from tests.api.conftest import SERVER_START_TIMEOUT_S
from tests.conftest import token

if TYPE_CHECKING:
    from fastapi import FastAPI
    from playwright.sync_api import Page

STAFF_KEY = "copilot.session.staff"  # common.js's keys
VIEWER_KEY_PREFIX = "copilot.session.viewer."
PASSWORD = "correct horse battery"
# Screenshots are the browser tests' artifacts: kept after the run (CI may collect the folder).
SCREENSHOTS = (
    Path(
        os.environ.get(
            "COPILOT_TEST_ARTIFACTS", Path(__file__).resolve().parents[2] / "var" / "test-artifacts"
        )
    )
    / "screenshots"
)


def screenshot(page: Page, name: str, *, full_page: bool = True) -> Path:
    """Keep what the page looks like now as var/test-artifacts/screenshots/NAME."""
    path = SCREENSHOTS / name
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=full_page)
    return path


@contextmanager
def serve(app: FastAPI, **config: Any) -> Iterator[str]:
    """The app on a free localhost port, served by uvicorn in a background thread."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", **config))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def add_user(copilot: Copilot, role: Role | str, room_id: str | None = None) -> str:
    """A new staff account with PASSWORD; returns its (unique) username."""
    username = f"{Role(role).value}-{uuid.uuid4().hex[:6]}"
    with copilot.db.session_scope() as session:
        create_user(session, username=username, role=Role(role), password=PASSWORD, room_id=room_id)
    return username


def store_session(page: Page, base_url: str, key: str, session: dict[str, Any]) -> None:
    """Put a session where the pages look for it (localStorage of the app's origin)."""
    page.goto(f"{base_url}/healthz")
    page.evaluate(
        "([key, value]) => localStorage.setItem(key, JSON.stringify(value))", [key, session]
    )


def sign_in_staff(
    page: Page, base_url: str, copilot: Copilot, role: str, room_id: str | None = None
) -> None:
    """A staff session of this role (a host's for room_id), as a login would have stored it."""
    session = {"token": token(copilot, role, room_id=room_id), "role": role, "subject": role}
    store_session(page, base_url, STAFF_KEY, {**session, "room": room_id})


def sign_in_viewer(page: Page, base_url: str, copilot: Copilot, room: str, viewer_id: str) -> None:
    """A viewer session of the room, as the chat page would have stored it."""
    minted = token(copilot, "viewer", room_id=room, viewer_id=viewer_id)
    session = {"token": minted, "role": "viewer", "room": room, "viewer_id": viewer_id}
    store_session(page, base_url, VIEWER_KEY_PREFIX + room, session)

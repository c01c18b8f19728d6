"""Schemathesis against the app's own OpenAPI spec, in process: no 500s, every answer declared.

Every operation of the spec is fuzzed (its examples, the coverage phase's boundary and
wrong-type cases, then random ones) through the ASGI app with an admin token. About half the
cases go to a fresh room loaded with the mini dataset and to a ticket in it; the others keep
what schemathesis makes up (unknown rooms and tickets are 404s; the loading routes create
rooms, which is fine). No response may be a 5xx, and each must have a status, content type,
headers and body that the spec declares for the operation.

Not fuzzed: the audio WebSocket and the pages (neither is in the spec). The voice upload gets
only a few random cases: an upload that decodes would run Whisper each time.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.app import create_app
from copilot.pipeline import ask
from copilot.runtime import Copilot
from tests.conftest import new_room

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
MAX_EXAMPLES = 25  # random cases per operation, on top of the explicit and coverage ones
VOICE_EXAMPLES = 3  # each decodable upload is a Whisper run
FUZZ_SETTINGS = {
    "deadline": None,  # the first question of a room warms its caches
    "suppress_health_check": list(HealthCheck),
    "derandomize": True,  # the same cases on every run: a failure here is reproducible
    "database": None,
}
VOICE = r"/voice-questions$"
STREAMS = r"/events$"  # endless by design: tests/api/test_chat_stream.py covers them
# The loading routes read their JSONL body raw; it goes on the wire as text.
schemathesis.serializer.alias("application/jsonl", "text/plain")


@pytest.fixture(scope="module")
def targets(sqlite_copilot: Copilot) -> dict[str, str]:
    """Path parameters that exist: a fresh room with the mini dataset, and a ticket in it.

    A fresh room, so that fuzzed writes touch nothing other tests read.
    """
    room = new_room(sqlite_copilot)
    escalated = ask(
        sqlite_copilot, room_id=room, viewer_id="fuzz-viewer", text="DD20261101003 到哪了", at=90
    )
    assert escalated.ticket_id is not None
    return {"room": room, "ticket_id": escalated.ticket_id}


@pytest.fixture(scope="module")
def auth_headers(sqlite_copilot: Copilot) -> dict[str, str]:
    """An admin token, once accounts exist; no header before that."""
    try:
        from copilot.accounts.service import mint_token
    except ImportError:
        return {}
    minted: Any = mint_token(sqlite_copilot.settings, role="admin", subject="fuzz", ttl_s=3600)
    token = minted[0] if isinstance(minted, tuple) else minted
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def api(sqlite_copilot: Copilot) -> Iterator[asgi.ASGIClient]:
    """The app in process, its lifespan run, behind the requests API schemathesis calls."""
    with asgi.get_client(create_app(copilot=sqlite_copilot)) as client:
        yield client


# The spec is built from the routes alone (no lifespan, no database), so it can be read at
# collection time, where schemathesis needs it; the cases are then sent to the fixture's app.
# (`schemathesis.pytest.from_fixture` would load it lazily, but 4.32 breaks on pytest 9.2.)
schema = schemathesis.openapi.from_dict(create_app().openapi())


def _call(
    case: schemathesis.Case,
    api: asgi.ASGIClient,
    *,
    targets: dict[str, str],
    headers: dict[str, str],
) -> None:
    # Half the cases go to the room and ticket that exist, chosen by the case itself so that
    # Hypothesis replays (and shrinks) a failure the same way (`schema.given` would turn off
    # the coverage phase); the others keep the made-up ones (404s).
    for name, value in (case.path_parameters or {}).items():
        if name in targets and isinstance(value, str) and zlib.crc32(value.encode()) % 2:
            case.path_parameters[name] = targets[name]
    case.call_and_validate(session=api, base_url=api.base_url, headers=headers, checks=CHECKS)


@schema.exclude(path_regex=VOICE).exclude(path_regex=STREAMS).parametrize()
@settings(max_examples=MAX_EXAMPLES, **FUZZ_SETTINGS)
def test_api_conforms_to_its_spec(
    case: schemathesis.Case,
    api: asgi.ASGIClient,
    targets: dict[str, str],
    auth_headers: dict[str, str],
) -> None:
    _call(case, api, targets=targets, headers=auth_headers)


@schema.include(path_regex=VOICE).parametrize()
@settings(max_examples=VOICE_EXAMPLES, **FUZZ_SETTINGS)
def test_voice_upload_conforms_to_its_spec(
    case: schemathesis.Case,
    api: asgi.ASGIClient,
    targets: dict[str, str],
    auth_headers: dict[str, str],
) -> None:
    _call(case, api, targets=targets, headers=auth_headers)

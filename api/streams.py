"""Server-Sent Event streams that replay the store after Last-Event-ID, then follow it live."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractContextManager
from typing import Any

import anyio
from fastapi.concurrency import run_in_threadpool
from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.requests import Request

from copilot.delivery import Watch
from copilot.errors import InvalidInput

RECHECK_S = 60.0  # re-read even unrung: a bell lost while Redis reconnected is late, not lost
PING_S = 15.0  # keep-alive comments, so proxies keep idle streams open
RETRY_MS = 1000  # how soon a browser reconnects
NOTE_EVENT = "partial"  # an answer as far as it is written; the stored message supersedes it


def resume_from(request: Request, after: int | None) -> int | None:
    """Last-Event-ID (a reconnect) or `?after=`; None for a new stream."""
    header = request.headers.get("last-event-id", "").strip()
    if header:
        if not header.isdigit():
            raise InvalidInput("Last-Event-ID must be an event id this stream sent")
        return int(header)
    return after


def event_stream(
    request: Request,
    watch_factory: Callable[[], AbstractContextManager[Watch]],
    read_after: Callable[[int], Sequence[tuple[int, dict[str, Any]]]],
    start: int,
    *,
    beat: Callable[[], None] | None = None,
    leave: Callable[[], None] | None = None,
) -> EventSourceResponse:
    """Send what the store holds after `start`, then everything stored later, in id order.

    `read_after(last)` runs on a worker thread and returns (id, payload) pairs. `beat` runs
    (on a thread) about every PING_S while the stream is open, `leave` once it closes.
    """

    async def events() -> AsyncIterator[ServerSentEvent]:
        last = start
        beaten = time.monotonic()
        yield ServerSentEvent(comment="connected", retry=RETRY_MS)
        try:
            with watch_factory() as watch:
                while True:
                    watch.rearm()
                    # Notes first: one rung before a message was stored precedes it.
                    for note in watch.take_notes():  # not stored: no id to resume from
                        yield ServerSentEvent(
                            data=json.dumps(note, ensure_ascii=False), event=NOTE_EVENT
                        )
                    for event_id, payload in await run_in_threadpool(read_after, last):
                        last = event_id
                        yield ServerSentEvent(
                            data=json.dumps(payload, ensure_ascii=False), id=str(event_id)
                        )
                    if await request.is_disconnected():
                        return
                    await watch.wait(PING_S if beat is not None else RECHECK_S)
                    if beat is not None and time.monotonic() - beaten >= PING_S:
                        await run_in_threadpool(beat)
                        beaten = time.monotonic()
        finally:
            if leave is not None:
                with anyio.CancelScope(shield=True):  # runs though the stream was cancelled
                    await run_in_threadpool(leave)

    return EventSourceResponse(events(), ping=PING_S)

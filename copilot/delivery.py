"""Waking the event streams of this process when something they show was stored.

The store is the record and the bus only a doorbell: a writer commits, then rings (a
conversation or a ticket changed); each stream re-reads the store after the last id it sent.
So a lost or doubled bell loses or repeats nothing, a stream on another worker is woken
through Redis, and a reconnecting stream resumes from its Last-Event-ID. The one exception
is a note a bell carries (an LLM's answer so far): it is not stored, so a lost one is lost,
and the stored message that follows is what counts.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from copilot.bus import MESSAGES_CHANNEL, TICKETS_CHANNEL, Bus, Event

QUEUE = ("queue",)


class Watch:
    """One stream's doorbell, rung from any thread, awaited on the stream's event loop."""

    def __init__(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._rung = asyncio.Event()
        self._notes: list[dict[str, Any]] = []
        self._notes_lock = threading.Lock()

    def ring(self, note: dict[str, Any] | None = None) -> None:
        """Wake the stream (thread-safe), with a note that is not in the store (an answer
        still being written) when there is one."""
        if note is not None:
            with self._notes_lock:
                self._notes.append(note)
        with contextlib.suppress(RuntimeError):  # the loop closed with its stream
            self._loop.call_soon_threadsafe(self._rung.set)

    def take_notes(self) -> list[dict[str, Any]]:
        """The notes rung since the last call, oldest first."""
        with self._notes_lock:
            notes, self._notes = self._notes, []
        return notes

    def rearm(self) -> None:
        """Call before re-reading the store: a ring after this wakes the next wait."""
        self._rung.clear()

    async def wait(self, timeout: float) -> bool:
        """Sleep until rung or `timeout` seconds; True when rung."""
        try:
            await asyncio.wait_for(self._rung.wait(), timeout)
        except TimeoutError:
            return False
        return True


class Delivery:
    """Rings the watches of conversations and of the ticket queue."""

    def __init__(self, bus: Bus) -> None:
        self.bus = bus
        self._watches: dict[tuple[str, ...], set[Watch]] = defaultdict(set)
        self._lock = threading.Lock()
        self._listening = False

    def conversation_changed(self, room_id: str, viewer_id: str) -> None:
        """A viewer's thread has a new message (call after the commit)."""
        event = Event(type="conversation.changed", room_id=room_id, data={"viewer_id": viewer_id})
        self.bus.publish(MESSAGES_CHANNEL, event)

    def answer_so_far(self, room_id: str, viewer_id: str, text: str) -> None:
        """The copilot's answer to the viewer as far as it has been written and checked."""
        event = Event(
            type="conversation.partial",
            room_id=room_id,
            data={"viewer_id": viewer_id, "text": text},
        )
        self.bus.publish(MESSAGES_CHANNEL, event)

    def tickets_changed(self, room_id: str, ticket_id: str) -> None:
        """A ticket changed (call after the commit)."""
        event = Event(type="ticket.changed", room_id=room_id, data={"ticket_id": ticket_id})
        self.bus.publish(TICKETS_CHANNEL, event)

    @contextlib.contextmanager
    def watch_conversation(self, room_id: str, viewer_id: str) -> Iterator[Watch]:
        """A watch rung whenever the viewer's thread in the room grows."""
        with self._watch(("conversation", room_id, viewer_id)) as watch:
            yield watch

    @contextlib.contextmanager
    def watch_queue(self) -> Iterator[Watch]:
        """A watch rung whenever any ticket changes."""
        with self._watch(QUEUE) as watch:
            yield watch

    @contextlib.contextmanager
    def _watch(self, key: tuple[str, ...]) -> Iterator[Watch]:
        self._listen()
        watch = Watch()
        with self._lock:
            self._watches[key].add(watch)
        try:
            yield watch
        finally:
            with self._lock:
                self._watches[key].discard(watch)
                if not self._watches[key]:
                    del self._watches[key]

    def _listen(self) -> None:
        # Subscribed on the first stream, so commands that never stream start no listener.
        with self._lock:
            if self._listening:
                return
            self._listening = True
        self.bus.subscribe(MESSAGES_CHANNEL, self._on_message)
        self.bus.subscribe(TICKETS_CHANNEL, self._on_ticket)

    def _on_message(self, event: Event) -> None:
        key = ("conversation", event.room_id, str(event.data.get("viewer_id", "")))
        if event.type == "conversation.partial":
            self._ring(key, {"role": "copilot", "text": event.data["text"], "partial": True})
        else:
            self._ring(key)

    def _on_ticket(self, _event: Event) -> None:
        self._ring(QUEUE)

    def _ring(self, key: tuple[str, ...], note: dict[str, Any] | None = None) -> None:
        with self._lock:
            watches = list(self._watches.get(key, ()))
        for watch in watches:
            watch.ring(note)

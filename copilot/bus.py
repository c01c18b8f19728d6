"""Events between processes: channel names and envelopes live here and nowhere else."""

from __future__ import annotations

import json
import threading
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Protocol

from pydantic import BaseModel, Field

TICKETS_CHANNEL = "copilot:tickets"  # a ticket changed: {"ticket_id"}
# A thread grew {"viewer_id"}, or an answer so far was checked {"viewer_id", "text"}.
MESSAGES_CHANNEL = "copilot:messages"
# What host prompts are made of, from every worker: questions, host lines, dismissals.
PROMPT_FEED_CHANNEL = "copilot:prompt-feed"
PROMPTS_CHANNEL = "copilot:prompts"  # a room's prompts changed


def room_channel(base: str, room_id: str) -> str:
    """A per-room channel name."""
    return f"{base}:{room_id}"


class Event(BaseModel):
    """The envelope of every event: ids, never ORM objects."""

    type: str
    room_id: str
    data: dict[str, Any] = Field(default_factory=dict)
    at: str = Field(default_factory=lambda: datetime.now(UTC).isoformat())


Handler = Callable[[Event], None]


class Bus(Protocol):
    """Publish events to a channel; subscribers receive them."""

    def publish(self, channel: str, event: Event) -> None: ...

    def subscribe(self, channel: str, handler: Handler) -> None: ...


class InProcessBus:
    """The embedded default: handlers called synchronously in this process."""

    def __init__(self) -> None:
        self._handlers: dict[str, list[Handler]] = defaultdict(list)
        self._lock = threading.Lock()

    def publish(self, channel: str, event: Event) -> None:
        """Call every handler of the channel."""
        with self._lock:
            handlers = list(self._handlers[channel])
        for handler in handlers:
            handler(event)

    def subscribe(self, channel: str, handler: Handler) -> None:
        """Register a handler."""
        with self._lock:
            self._handlers[channel].append(handler)


class RedisBus:
    """Redis pub/sub shared by every API worker."""

    def __init__(self, url: str) -> None:
        import redis

        self._redis = redis.Redis.from_url(url)
        self._threads: list[Any] = []

    def publish(self, channel: str, event: Event) -> None:
        """Publish the event as JSON."""
        self._redis.publish(channel, event.model_dump_json())

    def subscribe(self, channel: str, handler: Handler) -> None:
        """Run the handler on a background thread for each message."""
        pubsub = self._redis.pubsub(ignore_subscribe_messages=True)  # type: ignore[no-untyped-call, unused-ignore]

        def _on_message(message: dict[str, Any]) -> None:
            handler(Event.model_validate(json.loads(message["data"])))

        pubsub.subscribe(**{channel: _on_message})
        self._threads.append(pubsub.run_in_thread(sleep_time=0.05, daemon=True))

    def close(self) -> None:
        """Stop the listener threads."""
        for thread in self._threads:
            thread.stop()
            thread.join(timeout=2)
        self._redis.close()


def build_bus(redis_url: str) -> Bus:
    """Redis when configured, else the in-process bus."""
    return RedisBus(redis_url) if redis_url else InProcessBus()

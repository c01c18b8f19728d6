"""Events: in-process by default, real Redis pub/sub when configured."""

from __future__ import annotations

import os
import queue
import time

import pytest

from copilot.bus import TICKETS_CHANNEL, Event, InProcessBus, RedisBus


def test_in_process_bus_delivers() -> None:
    bus = InProcessBus()
    received: list[Event] = []
    bus.subscribe(TICKETS_CHANNEL, received.append)
    bus.publish(TICKETS_CHANNEL, Event(type="ticket.created", room_id="r", data={"ticket_id": "t"}))
    assert received[0].data["ticket_id"] == "t"


def test_redis_bus_delivers_between_clients() -> None:
    url = os.environ.get("COPILOT_TEST_REDIS_URL", "")
    if not url:
        pytest.skip("COPILOT_TEST_REDIS_URL is not set (run `make test`)")
    subscriber, publisher = RedisBus(url), RedisBus(url)
    received: queue.Queue[Event] = queue.Queue()
    subscriber.subscribe("copilot:test", received.put)
    time.sleep(0.2)  # let the subscription register before publishing
    publisher.publish("copilot:test", Event(type="ticket.created", room_id="r", data={"n": 1}))
    try:
        event = received.get(timeout=5)
    finally:
        subscriber.close()
        publisher.close()
    assert event.type == "ticket.created" and event.data == {"n": 1}

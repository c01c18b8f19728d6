"""A minimal Server-Sent Events reader for tests (httpx streaming, one event at a time)."""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx


class EventReader:
    """Reads a stream on a background thread; `next(timeout)` returns the next event."""

    def __init__(self, url: str, headers: dict[str, str]) -> None:
        self.url, self.headers = url, headers
        self.events: queue.Queue[tuple[str | None, dict[str, Any]]] = queue.Queue()
        self.status: int | None = None
        self.error: Exception | None = None
        self.connected = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)

    def _read(self) -> None:
        try:
            self._follow()
        except httpx.HTTPError as exc:  # the server went away: the test sees no more events
            self.error = exc

    def _follow(self) -> None:
        with (
            httpx.Client(timeout=httpx.Timeout(5.0, read=None)) as client,
            client.stream("GET", self.url, headers=self.headers) as response,
        ):
            self.status = response.status_code
            self.connected.set()
            event_id: str | None = None
            data: list[str] = []
            for line in response.iter_lines():
                if self._stop.is_set():
                    return
                if line.startswith("id:"):
                    event_id = line[3:].strip()
                elif line.startswith("data:"):
                    data.append(line[5:].strip())
                elif line == "" and data:
                    self.events.put((event_id, json.loads("\n".join(data))))
                    event_id, data = None, []

    def next(self, timeout: float = 5.0) -> tuple[str | None, dict[str, Any]]:
        """The next event (id, payload); queue.Empty after `timeout` seconds."""
        return self.events.get(timeout=timeout)

    def drain(self, wait: float = 0.5) -> list[tuple[str | None, dict[str, Any]]]:
        """Every event that arrives within `wait` seconds of the last."""
        found = []
        while True:
            try:
                found.append(self.next(wait))
            except queue.Empty:
                return found


@contextmanager
def read_events(url: str, headers: dict[str, str]) -> Iterator[EventReader]:
    """An open event stream for the block's duration."""
    reader = EventReader(url, headers)
    reader._thread.start()
    if not reader.connected.wait(10):
        raise TimeoutError(f"no response from {url}: {reader.error}")
    try:
        yield reader
    finally:
        reader._stop.set()

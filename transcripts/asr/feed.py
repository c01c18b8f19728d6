"""Feeding a recogniser from a source of chunks: as fast as possible, at real-time pace, or on
a simulated real-time clock (real-time behaviour, measured in a fraction of the time)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from typing import Protocol

import numpy as np

from transcripts.asr.streaming import SAMPLE_RATE, StreamingRecognizer, Update


class Clock(Protocol):
    """Seconds since the stream started, and a way to wait."""

    def now(self) -> float:
        """Seconds since start."""

    def wait_until(self, moment: float) -> None:
        """Return at `moment` (or at once if it has passed)."""

    def spent(self, seconds: float) -> None:
        """Account for work that took `seconds` of wall time."""


class WallClock:
    """Real time: waiting sleeps."""

    def __init__(self) -> None:
        self._start = time.monotonic()

    def now(self) -> float:
        """Seconds since start."""
        return time.monotonic() - self._start

    def wait_until(self, moment: float) -> None:
        """Sleep until `moment`."""
        time.sleep(max(0.0, moment - self.now()))

    def spent(self, seconds: float) -> None:
        """Work already took real time."""


class SimulatedClock:
    """Real-time semantics without the waiting: only work moves the clock, and idle time jumps.

    Audio arrives as it would live, and decoding time is charged in full, so lag and
    finalisation latency match a live run on the same machine (minus any contention from
    a concurrent producer).
    """

    def __init__(self) -> None:
        self._now = 0.0

    def now(self) -> float:
        """Seconds since start."""
        return self._now

    def wait_until(self, moment: float) -> None:
        """Jump ahead."""
        self._now = max(self._now, moment)

    def spent(self, seconds: float) -> None:
        """Charge work to the clock."""
        self._now += seconds


def chunks_of(audio: np.ndarray, seconds: float = 0.1) -> Iterator[np.ndarray]:
    """Split samples into chunks of `seconds`."""
    size = max(1, int(seconds * SAMPLE_RATE))
    for start in range(0, len(audio), size):
        yield audio[start : start + size]


def run_stream(
    recognizer: StreamingRecognizer,
    chunks: Iterable[np.ndarray],
    clock: Clock | None = None,
    on_update: Callable[[Update], None] | None = None,
) -> list[Update]:
    """Feed every chunk; with a clock, at most what would have arrived by `clock.now()`.

    Without a clock, each chunk is processed as soon as it is inserted (batch speed).
    """
    updates: list[Update] = []

    def step(update: Update) -> None:
        if update.finals or update.partial:
            updates.append(update)
            if on_update is not None:
                on_update(update)

    def seconds(chunk: np.ndarray) -> float:
        return len(chunk) / SAMPLE_RATE

    source = iter(chunks)
    pending = next(source, None)
    arrived = 0.0  # stream seconds delivered so far
    while pending is not None:
        if clock is not None:
            clock.wait_until(arrived + seconds(pending))  # the next chunk has fully arrived
        # Deliver every chunk that has arrived by now, then process them together.
        while pending is not None:
            arrived += seconds(pending)
            recognizer.insert_audio_chunk(pending)
            pending = next(source, None)
            if clock is None or pending is None or arrived + seconds(pending) > clock.now():
                break
        started = time.perf_counter()
        update = recognizer.process_iter()
        if clock is not None:
            clock.spent(time.perf_counter() - started)
        step(update)
    step(recognizer.finish())
    return updates

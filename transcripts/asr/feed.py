"""Feeding a recogniser from a source of chunks: as fast as possible, at real-time pace, or on
a simulated real-time clock (real-time behaviour, measured in a fraction of the time), which
charges either the real decode time or a modelled one (the same run on any machine)."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from transcripts.asr.decoder import Decoder, Hypothesis
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


@dataclass(frozen=True)
class DecodeCost:
    """What a decode is taken to cost (seconds): base, int8, one thread, fitted window, on a
    quiet 2-core machine (docs/asr.md: 9 s of audio in 0.32 s at beam 1, 0.47 s at beam 5)."""

    fixed: float = 0.2  # a greedy decode of no audio: encoder pass, start-up
    per_audio_second: float = 0.013  # ...plus this per second of audio
    beam_factor: float = 1.5  # a beam wider than 1 costs this many greedy decodes
    detection: float = 0.15  # the encoder pass that detects the language
    hotword_check: float = 0.6  # the greedy pass that checks hotwords, in greedy decodes

    def seconds(self, audio_seconds: float, beam_size: int, detected: bool, checked: bool) -> float:
        """The modelled duration of one decode."""
        greedy = self.fixed + self.per_audio_second * audio_seconds
        total = greedy * (self.beam_factor if beam_size > 1 else 1.0)
        return total + self.detection * detected + self.hotword_check * greedy * checked


class ModelledClock(SimulatedClock):
    """A simulated clock on which only decodes take time, each its modelled `DecodeCost`.

    The recogniser adapts to how long its decodes take (partials, beam, skipping); with the
    wall time charged, its output depends on how busy the machine is. On this clock a run
    is the same on any machine: what tests of accuracy and behaviour need. Benchmarks charge
    the real time (`SimulatedClock`, `WallClock`).
    """

    def __init__(self, cost: DecodeCost | None = None) -> None:
        super().__init__()
        self.cost = cost or DecodeCost()

    def spent(self, seconds: float) -> None:
        """Wall time is not charged: decodes are, by `ModelledDecoder`."""

    def charge(self, seconds: float) -> None:
        """Move the clock on by a modelled duration."""
        self._now += seconds

    def decoder(self, inner: Decoder) -> ModelledDecoder:
        """`inner`, its decodes charged to this clock at their modelled cost."""
        return ModelledDecoder(inner, self)


class ModelledDecoder:
    """Decodes with another decoder; each takes (and reports) its modelled time on a clock."""

    def __init__(self, inner: Decoder, clock: ModelledClock) -> None:
        self.inner = inner
        self.clock = clock

    def decode(
        self,
        audio: np.ndarray,
        offset: float,
        language: str | None,
        beam_size: int,
        hotwords: str | None = None,
    ) -> Hypothesis:
        """The inner decoder's words, with the modelled duration charged to the clock."""
        hypothesis = self.inner.decode(audio, offset, language, beam_size, hotwords)
        seconds = self.clock.cost.seconds(
            len(audio) / SAMPLE_RATE, beam_size, language is None, hypothesis.hotwords_checked
        )
        self.clock.charge(seconds)
        return dataclasses.replace(hypothesis, seconds=seconds)


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

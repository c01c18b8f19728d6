"""A room's live host stream: audio is archived, recognised, stored and indexed as it comes."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from copilot.bus import Event, room_channel
from copilot.errors import NotFound
from copilot.hostprompts.service import host_line_event
from copilot.runtime import Copilot
from knowledge.repository import CatalogRepository, RoomRepository
from transcripts.asr.decoder import catalog_hotwords
from transcripts.asr.streaming import (
    SAMPLE_RATE,
    FinalSegment,
    StreamMetrics,
    Update,
    WhisperStreamer,
)
from transcripts.audio import float_to_pcm16, pcm16_to_float
from transcripts.records import SegmentRecord
from transcripts.store import TranscriptRepository

TRANSCRIPT_CHANNEL = "copilot:transcript"


def room_hotwords(copilot: Copilot, room_id: str) -> str:
    """The room's product names and SKUs, which bias recognition towards them."""
    with copilot.db.read_scope() as session:
        products = CatalogRepository(session, room_id).products()
        return catalog_hotwords((p.name, p.sku) for p in products)


@dataclass
class LiveStats:
    """What the live path did, beside the recogniser's own metrics."""

    segments: int = 0
    index_seconds: list[float] = field(default_factory=list)


class LiveStream:
    """One host feed of a room, usable wherever a StreamingRecognizer is.

    `process_iter` must not run concurrently with itself; audio may be fed meanwhile.
    """

    def __init__(
        self,
        copilot: Copilot,
        room_id: str,
        clock_start: float | None = None,
        language: str | None = None,
        store: bool = True,
    ) -> None:
        with copilot.db.read_scope() as session:
            if RoomRepository(session).get(room_id) is None:
                raise NotFound(f"unknown room {room_id!r}")
            transcript_end = TranscriptRepository(session, room_id).end_time()
        self.copilot = copilot
        self.room_id = room_id
        self.store = store
        if clock_start is None:  # a new feed carries on the room's stream clock
            recorded = copilot.archive.extent(room_id)
            clock_start = max(transcript_end, recorded[1] if recorded else 0.0)
        self.clock_start = clock_start
        self.recognizer = WhisperStreamer(
            copilot.asr_decoder,
            copilot.stream_options(language),
            clock_start=clock_start,
            hotwords=room_hotwords(copilot, room_id),
        )
        self.stats = LiveStats()
        self._samples = 0

    @property
    def position(self) -> float:
        """Stream time of the newest audio received."""
        return self.clock_start + self._samples / SAMPLE_RATE

    @property
    def metrics(self) -> StreamMetrics:
        """The recogniser's lag, real-time factor and counters."""
        return self.recognizer.metrics

    def feed_pcm(self, pcm: bytes) -> None:
        """Take 16 kHz mono s16le PCM: archive it, queue it for recognition."""
        audio = pcm16_to_float(pcm)
        if self.store:
            self.copilot.archive.append(self.room_id, self.position, pcm)
        self._samples += len(audio)
        self.recognizer.insert_audio_chunk(audio)

    def insert_audio_chunk(self, audio: np.ndarray) -> None:
        """Take 16 kHz mono float32 samples."""
        self.feed_pcm(float_to_pcm16(audio))

    def process_iter(self) -> Update:
        """Recognise what has arrived; store and index any final segments."""
        update = self.recognizer.process_iter()
        self._publish(update)
        return update

    def finish(self) -> Update:
        """The feed ended: commit the rest."""
        update = self.recognizer.finish()
        self._publish(update)
        return update

    def _publish(self, update: Update) -> None:
        if update.finals and self.store:
            self._store(update.finals)
        channel = room_channel(TRANSCRIPT_CHANNEL, self.room_id)
        bus = self.copilot.bus
        for segment in update.finals:
            bus.publish(channel, Event(type="segment", room_id=self.room_id, data=segment.record()))
            self.copilot.host_prompts.publish(
                host_line_event(self.room_id, start=segment.start, text=segment.text)
            )
        if update.partial is not None:
            data = {"start": round(update.partial.start, 2), "text": update.partial.text}
            bus.publish(channel, Event(type="partial", room_id=self.room_id, data=data))

    def _store(self, finals: list[FinalSegment]) -> None:
        """Commit the segments, then rebuild the room's transcript index before any question."""
        records = [SegmentRecord(start=s.start, end=s.end, text=s.text) for s in finals]
        with self.copilot.db.session_scope() as session:
            TranscriptRepository(session, self.room_id).add(records)
        started = time.perf_counter()
        with self.copilot.db.read_scope() as session:
            self.copilot.indexes.warm(session, self.room_id)
        self.stats.index_seconds.append(time.perf_counter() - started)
        self.stats.segments += len(records)

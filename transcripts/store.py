"""Every query on transcript segments."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from transcripts.models import TranscriptSegment
from transcripts.records import SegmentRecord


class TranscriptRepository:
    """Segments of one room, ordered by their time on the stream."""

    def __init__(self, session: Session, room_id: str) -> None:
        self.session = session
        self.room_id = room_id

    def add(self, segments: Iterable[SegmentRecord]) -> int:
        """Store segments, replacing any with the same start (loading twice changes nothing)."""
        records = list(segments)
        starts = [r.start for r in records]
        for chunk in range(0, len(starts), 500):
            self.session.execute(
                delete(TranscriptSegment).where(
                    TranscriptSegment.room_id == self.room_id,
                    TranscriptSegment.start.in_(starts[chunk : chunk + 500]),
                )
            )
        self.session.add_all(
            TranscriptSegment(
                room_id=self.room_id, start=r.start, end=r.end, text=r.text, speaker=r.speaker
            )
            for r in records
        )
        self.session.flush()
        return len(records)

    def all(self) -> Sequence[TranscriptSegment]:
        """Every segment of the room by start time."""
        stmt = (
            select(TranscriptSegment)
            .where(TranscriptSegment.room_id == self.room_id)
            .order_by(TranscriptSegment.start, TranscriptSegment.id)
        )
        return self.session.scalars(stmt).all()

    def between(self, start: float, end: float | None = None) -> Sequence[TranscriptSegment]:
        """Segments overlapping [start, end] (no end: to the last) by start time."""
        stmt = select(TranscriptSegment).where(
            TranscriptSegment.room_id == self.room_id, TranscriptSegment.end >= start
        )
        if end is not None:
            stmt = stmt.where(TranscriptSegment.start <= end)
        return self.session.scalars(
            stmt.order_by(TranscriptSegment.start, TranscriptSegment.id)
        ).all()

    def end_time(self) -> float:
        """The end of the last segment (0 for an empty transcript)."""
        stmt = select(func.max(TranscriptSegment.end)).where(
            TranscriptSegment.room_id == self.room_id
        )
        return float(self.session.scalar(stmt) or 0.0)

    def version(self) -> tuple[int, int]:
        """(count, max id): changes whenever segments are added or replaced."""
        stmt = select(func.count(), func.max(TranscriptSegment.id)).where(
            TranscriptSegment.room_id == self.room_id
        )
        count, top = self.session.execute(stmt).one()
        return int(count), int(top or 0)

    def clear(self) -> None:
        """Remove every segment of the room."""
        self.session.execute(
            delete(TranscriptSegment).where(TranscriptSegment.room_id == self.room_id)
        )

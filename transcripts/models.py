"""SQLAlchemy model for transcript segments, on its own metadata (no imports from above)."""

from __future__ import annotations

from sqlalchemy import Float, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class TranscriptBase(DeclarativeBase):
    """Declarative base of the transcripts package."""


class TranscriptSegment(TranscriptBase):
    __tablename__ = "transcript_segments"
    __table_args__ = (Index("ix_segments_room_start", "room_id", "start"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    room_id: Mapped[str] = mapped_column(String(64))
    start: Mapped[float] = mapped_column(Float)
    end: Mapped[float] = mapped_column(Float)
    text: Mapped[str] = mapped_column(Text)
    speaker: Mapped[str] = mapped_column(String(64), default="host")

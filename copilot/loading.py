"""Loading files into the store: all lines validated first, one transaction, upserts."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from copilot.errors import InvalidInput
from knowledge.ingest import LoadReport, load_kb, load_orders
from knowledge.jsonl import LineError, parse_lines
from knowledge.repository import RoomRepository
from transcripts.records import SegmentRecord
from transcripts.store import TranscriptRepository

ROOM_ID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")


def check_room_id(room_id: str) -> str:
    """Room ids are short slugs: they appear in URLs and replay links."""
    if not room_id or len(room_id) > 64 or not set(room_id) <= ROOM_ID_CHARS:
        raise InvalidInput("room ids are 1-64 letters, digits, '-' or '_'", room=room_id)
    return room_id


def _invalid(exc: LineError) -> InvalidInput:
    return InvalidInput(str(exc), line=exc.line, field=exc.field)


def load_kb_lines(session: Session, room_id: str, lines: Iterable[str]) -> LoadReport:
    """Products and FAQ/policy entries into a room."""
    try:
        return load_kb(session, room_id=check_room_id(room_id), lines=lines)
    except LineError as exc:
        raise _invalid(exc) from exc


def load_order_lines(session: Session, lines: Iterable[str]) -> LoadReport:
    """Order records, upserted by order_id."""
    try:
        return load_orders(session, lines=lines)
    except LineError as exc:
        raise _invalid(exc) from exc


def load_transcript_lines(session: Session, room_id: str, lines: Iterable[str]) -> int:
    """Transcript segments into a room; returns how many were stored."""
    try:
        segments = parse_lines(lines, SegmentRecord.model_validate)
    except LineError as exc:
        raise _invalid(exc) from exc
    RoomRepository(session).get_or_create(check_room_id(room_id))
    return TranscriptRepository(session, room_id).add(segments)


def reset_room(session: Session, room_id: str) -> None:
    """Delete a room with its catalog, transcript, conversations and tickets."""
    TranscriptRepository(session, room_id).clear()
    RoomRepository(session).delete(room_id)

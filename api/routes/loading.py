"""Loading catalog, orders and transcripts (JSONL bodies, one transaction each)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.deps import JsonlDep, SessionDep
from copilot.conversations import ConversationRepository
from copilot.errors import NotFound
from copilot.loading import load_kb_lines, load_order_lines, load_transcript_lines
from knowledge.repository import CatalogRepository, RoomRepository
from transcripts.store import TranscriptRepository

router = APIRouter(prefix="/v1", tags=["loading"])


@router.post("/rooms/{room}/kb")
def post_kb(room: str, lines: JsonlDep, session: SessionDep) -> dict[str, Any]:
    """Upsert products and FAQ/policy entries (JSONL body) into a room."""
    report = load_kb_lines(session, room, lines)
    return {"room": room, "products": report.products, "policies": report.policies}


@router.post("/orders")
def post_orders(lines: JsonlDep, session: SessionDep) -> dict[str, Any]:
    """Upsert order records (JSONL body)."""
    return {"orders": load_order_lines(session, lines).orders}


@router.post("/rooms/{room}/transcript")
def post_transcript(room: str, lines: JsonlDep, session: SessionDep) -> dict[str, Any]:
    """Import transcript segments (JSONL body) for a room."""
    return {"room": room, "segments": load_transcript_lines(session, room, lines)}


@router.get("/rooms")
def list_rooms(session: SessionDep) -> list[dict[str, Any]]:
    """Every room with its catalog version."""
    return [{"id": r.id, "kb_version": r.kb_version} for r in RoomRepository(session).list()]


@router.get("/rooms/{room}")
def get_room(room: str, session: SessionDep) -> dict[str, Any]:
    """A room's catalog and transcript in brief."""
    found = RoomRepository(session).get(room)
    if found is None:
        raise NotFound(f"unknown room {room!r}")
    catalog = CatalogRepository(session, room)
    transcript = TranscriptRepository(session, room)
    return {
        "id": found.id,
        "kb_version": found.kb_version,
        "products": [
            {
                "sku": p.sku,
                "name": p.name,
                "price": p.price,
                "live_price": p.live_price,
                "stock": p.stock,
            }
            for p in catalog.products()
        ],
        "policies": len(catalog.policies()),
        "transcript_segments": transcript.version()[0],
        "transcript_end": transcript.end_time(),
    }


@router.get("/rooms/{room}/activity")
def get_activity(room: str, session: SessionDep, limit: int = 50) -> dict[str, Any]:
    """The room's latest viewer questions and how many of each intent."""
    if RoomRepository(session).get(room) is None:
        raise NotFound(f"unknown room {room!r}")
    recent = ConversationRepository(session).recent_questions(room, limit=min(limit, 500))
    counts: dict[str, int] = {}
    for message, _ in recent:
        counts[message.intent or "other"] = counts.get(message.intent or "other", 0) + 1
    return {
        "room": room,
        "intents": dict(sorted(counts.items(), key=lambda kv: -kv[1])),
        "questions": [
            {
                "viewer_id": viewer,
                "text": m.text,
                "at": m.at,
                "intent": m.intent,
                "created_at": m.created_at.isoformat(),
            }
            for m, viewer in recent
        ],
    }

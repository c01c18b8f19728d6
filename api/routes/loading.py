"""Loading catalog, orders and transcripts (JSONL bodies, one transaction each)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.deps import CopilotDep, JsonlDep, SessionDep
from api.security import RoomLister, requires
from copilot.accounts.policy import LOAD_DATA, READ_ROOM, ROOM_ACTIVITY
from copilot.conversations import ConversationRepository
from copilot.errors import NotFound
from copilot.loading import load_kb_lines, load_order_lines, load_transcript_lines
from copilot.models import iso_utc, utcnow
from copilot.retrieval import on_stage_at
from knowledge.repository import CatalogRepository, RoomRepository
from transcripts.store import TranscriptRepository

router = APIRouter(prefix="/v1", tags=["loading"])
MAX_ACTIVITY = 500  # latest questions one call returns
ACTIVITY_MINUTES = 10  # the host panel's questions-per-minute chart


def _jsonl_body(*example: str) -> dict[str, Any]:
    """The spec of a raw JSONL body (JsonlDep reads it), with example lines for /docs."""
    schema = {"type": "string", "example": "\n".join(example)}
    return {
        "requestBody": {
            "required": True,
            "description": "UTF-8 JSONL: one object a line, in DESIGN.md's formats.",
            "content": {media: {"schema": schema} for media in ("application/jsonl", "text/plain")},
        }
    }


KB_BODY = _jsonl_body(
    '{"sku": "EX-1", "name": "Example tea", "price": 50, "description": "A sample."}',
    '{"id": "policy-example", "q": "Which carrier?", "a": "SF Express."}',
)
ORDERS_BODY = _jsonl_body(
    '{"order_id": "EX-1001", "viewer_id": "example-viewer", "items": [{"sku": "EX-1", "qty": 1}],'
    ' "status": "paid", "created_at": "2026-11-01T10:00:00+08:00",'
    ' "updated_at": "2026-11-01T10:00:00+08:00"}'
)
TRANSCRIPT_BODY = _jsonl_body('{"start": 0, "end": 6, "text": "Welcome to the stream!"}')


@router.post("/rooms/{room}/kb", dependencies=[requires(LOAD_DATA)], openapi_extra=KB_BODY)
def post_kb(room: str, lines: JsonlDep, copilot: CopilotDep) -> dict[str, Any]:
    """Upsert products and FAQ/policy entries (JSONL body) into a room."""
    # Validate, write and commit in this one worker thread: the write lock is held only
    # while rows are written, never across a hop to another thread.
    with copilot.db.session_scope() as session:
        report = load_kb_lines(session, room, lines)
    return {"room": room, "products": report.products, "policies": report.policies}


@router.post("/orders", dependencies=[requires(LOAD_DATA)], openapi_extra=ORDERS_BODY)
def post_orders(lines: JsonlDep, copilot: CopilotDep) -> dict[str, Any]:
    """Upsert order records (JSONL body)."""
    with copilot.db.session_scope() as session:  # one thread, as post_kb
        report = load_order_lines(session, lines)
    return {"orders": report.orders}


@router.post(
    "/rooms/{room}/transcript", dependencies=[requires(LOAD_DATA)], openapi_extra=TRANSCRIPT_BODY
)
def post_transcript(room: str, lines: JsonlDep, copilot: CopilotDep) -> dict[str, Any]:
    """Import transcript segments (JSONL body) for a room."""
    with copilot.db.session_scope() as session:  # one thread, as post_kb
        count = load_transcript_lines(session, room, lines)
    return {"room": room, "segments": count}


@router.get("/rooms")
def list_rooms(session: SessionDep, principal: RoomLister) -> list[dict[str, Any]]:
    """Every room with its catalog version (a host: only their own)."""
    rooms = RoomRepository(session).list()
    if principal.room_id is not None:
        rooms = [r for r in rooms if r.id == principal.room_id]
    return [{"id": r.id, "kb_version": r.kb_version} for r in rooms]


@router.get("/rooms/{room}", dependencies=[requires(READ_ROOM)])
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


@router.get("/rooms/{room}/activity", dependencies=[requires(ROOM_ACTIVITY)])
def get_activity(
    room: str,
    session: SessionDep,
    copilot: CopilotDep,
    limit: Annotated[int, Query(ge=1, le=MAX_ACTIVITY)] = 50,
) -> dict[str, Any]:
    """The room's latest viewer questions, how many of each intent, questions per minute over
    the last ten minutes (oldest first) and the product on stage."""
    if RoomRepository(session).get(room) is None:
        raise NotFound(f"unknown room {room!r}")
    recent = ConversationRepository(session).recent_questions(room, limit=limit)
    counts: dict[str, int] = {}
    for message, _ in recent:
        counts[message.intent or "other"] = counts.get(message.intent or "other", 0) + 1
    conversations = ConversationRepository(session)
    on_stage = on_stage_at(session, copilot.indexes, room)
    product = CatalogRepository(session, room).product(on_stage) if on_stage else None
    return {
        "room": room,
        "on_stage": {"sku": product.sku, "name": product.name} if product is not None else None,
        "per_minute": conversations.questions_per_minute(room, ACTIVITY_MINUTES, utcnow()),
        "intents": dict(sorted(counts.items(), key=lambda kv: -kv[1])),
        "questions": [
            {
                "viewer_id": viewer,
                "text": m.text,
                "at": m.at,
                "intent": m.intent,
                "created_at": iso_utc(m.created_at),
            }
            for m, viewer in recent
        ],
    }

"""The viewer's own thread: its messages as a list and as a live stream, hand-over, rating."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field
from sse_starlette import EventSourceResponse

from api.deps import CopilotDep, SessionDep
from api.errors import error_responses
from api.security import authorize
from api.streams import event_stream, resume_from
from copilot.accounts.policy import CHAT, WATCH_CHAT
from copilot.accounts.service import Principal
from copilot.conversations import ConversationRepository
from copilot.escalation import TicketRepository, desk
from copilot.escalation.repository import RESOLVED
from copilot.models import Message, iso_utc
from copilot.pipeline import ask

router = APIRouter(prefix="/v1/rooms/{room}/chat", tags=["chat"])
Viewer = Annotated[Principal, Depends(authorize(CHAT))]
StreamingViewer = Annotated[Principal, Depends(authorize(WATCH_CHAT))]
HAND_OVER_TEXT = {"zh": "转人工客服", "en": "Talk to a person"}


def message_view(message: Message) -> dict[str, Any]:
    """A message as the viewer sees it (DESIGN.md's chat event)."""
    view: dict[str, Any] = {
        "id": message.id,
        "role": message.role,
        "text": message.text,
        "created_at": iso_utc(message.created_at),
    }
    for key in ("at", "ticket_id", "kind", "action"):
        value = getattr(message, key)
        if value is not None:
            view[key] = value
    return view


def _viewer(principal: Principal) -> str:
    assert principal.viewer_id is not None, "viewer tokens name their viewer"
    return principal.viewer_id


@router.get("/messages")
def list_messages(
    room: str,
    session: SessionDep,
    principal: Viewer,
    after: Annotated[int, Query(ge=0, le=2**62)] = 0,
) -> list[dict[str, Any]]:
    """The viewer's messages after `after` (a message id), oldest first, at most 200."""
    conversations = ConversationRepository(session)
    return [
        message_view(m)
        for m in conversations.viewer_messages_after(room, _viewer(principal), after)
    ]


@router.get("/events", response_class=EventSourceResponse)
def follow_messages(
    room: str,
    request: Request,
    copilot: CopilotDep,
    principal: StreamingViewer,
    after: Annotated[int | None, Query(ge=0, le=2**62)] = None,
) -> EventSourceResponse:
    """Server-Sent Events: every message of the viewer's thread as it is stored.

    Each event's id is the message id; a reconnect with Last-Event-ID (or `?after=`) resumes
    after it with nothing lost or repeated. A new stream starts with the whole history.
    """
    viewer_id = _viewer(principal)

    def read_after(last: int) -> list[tuple[int, dict[str, Any]]]:
        with copilot.db.read_scope() as session:
            found = ConversationRepository(session).viewer_messages_after(room, viewer_id, last)
            return [(m.id, message_view(m)) for m in found]

    start = resume_from(request, after) or 0
    return event_stream(
        request, lambda: copilot.delivery.watch_conversation(room, viewer_id), read_after, start
    )


@router.get("/ticket")
def my_ticket(room: str, session: SessionDep, principal: Viewer) -> dict[str, Any]:
    """The viewer's latest ticket in the room: whether a person has it, and whether to rate."""
    ticket = TicketRepository(session).latest_for(room, _viewer(principal))
    if ticket is None:
        return {"ticket": None}
    return {
        "ticket": {
            "id": ticket.id,
            "status": ticket.status,
            "with_agent": ticket.assignee is not None and ticket.status != RESOLVED,
            "can_rate": ticket.status == RESOLVED and ticket.csat is None,
            "rating": ticket.csat,
        }
    }


class HandOverIn(BaseModel):
    language: Literal["zh", "en"] = "zh"


@router.post("/hand-over")
async def hand_over(
    room: str, body: HandOverIn, request: Request, copilot: CopilotDep, principal: Viewer
) -> dict[str, Any]:
    """ "Talk to a person": the viewer's thread goes to an agent (their open ticket if any)."""
    viewer_id = _viewer(principal)
    copilot.check_question_rate(room, viewer_id)
    result = await run_in_threadpool(
        ask,
        copilot,
        room_id=room,
        viewer_id=viewer_id,
        text=HAND_OVER_TEXT[body.language],
        base_url=str(request.base_url),
        hand_over="the viewer asked for a person",
    )
    return result.for_viewer()


class RatingIn(BaseModel):
    score: int = Field(ge=1, le=5)


@router.post("/rating", responses=error_responses(409))
async def rate_help(
    room: str, body: RatingIn, copilot: CopilotDep, principal: Viewer
) -> dict[str, Any]:
    """The viewer rates the help of their resolved ticket (1-5), once."""
    ticket_id = await run_in_threadpool(desk.rate, copilot, room, _viewer(principal), body.score)
    return {"ticket_id": ticket_id, "score": body.score}

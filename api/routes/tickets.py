"""Tickets for the agent console."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel

from api.deps import SessionDep
from api.security import requires
from copilot.accounts.policy import HANDLE_TICKETS
from copilot.conversations import ConversationRepository
from copilot.errors import NotFound
from copilot.escalation import TicketRepository
from copilot.models import Ticket

router = APIRouter(
    prefix="/v1/tickets",
    tags=["tickets"],
    dependencies=[requires(HANDLE_TICKETS)],
)
MAX_TICKETS = 500  # one page of the console's queue


def _summary(ticket: Ticket) -> dict[str, Any]:
    return {
        "id": ticket.id,
        "room_id": ticket.room_id,
        "viewer_id": ticket.viewer_id,
        "status": ticket.status,
        "intent": ticket.intent,
        "reason": ticket.reason,
        "question": ticket.question,
        "at": ticket.at,
        "language": ticket.language,
        "replay": ticket.replay,
        "created_at": ticket.created_at.isoformat(),
    }


@router.get("")
def list_tickets(
    session: SessionDep,
    room: str | None = None,
    status: str | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_TICKETS)] = 100,
) -> list[dict[str, Any]]:
    """Tickets, newest first, optionally for one room or status."""
    tickets = TicketRepository(session).list(room_id=room, status=status, limit=limit)
    return [_summary(t) for t in tickets]


@router.get("/{ticket_id}")
def get_ticket(ticket_id: str, session: SessionDep) -> dict[str, Any]:
    """One ticket with its conversation, the viewer's orders and the evidence."""
    ticket = TicketRepository(session).get(ticket_id)
    if ticket is None:
        raise NotFound(f"unknown ticket {ticket_id!r}")
    messages = ConversationRepository(session).history(ticket.conversation_id)
    return {
        **_summary(ticket),
        "conversation": [
            {
                "role": m.role,
                "text": m.text,
                "at": m.at,
                "action": m.action,
                "created_at": m.created_at.isoformat(),
            }
            for m in messages
        ],
        "orders": ticket.orders,
        "evidence": ticket.evidence,
    }


class TicketUpdate(BaseModel):
    status: Literal["open", "pending", "closed"]


@router.patch("/{ticket_id}")
def update_ticket(ticket_id: str, update: TicketUpdate, session: SessionDep) -> dict[str, Any]:
    """Change a ticket's status (an agent takes or closes it)."""
    ticket = TicketRepository(session).get(ticket_id)
    if ticket is None:
        raise NotFound(f"unknown ticket {ticket_id!r}")
    ticket.status = update.status
    return _summary(ticket)

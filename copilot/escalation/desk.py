"""What agents and viewers do to tickets through the API: each commits, then rings the streams."""

from __future__ import annotations

from copilot.errors import Conflict, NotFound
from copilot.escalation import lifecycle
from copilot.escalation.lifecycle import Staff
from copilot.escalation.repository import TicketRepository
from copilot.models import Ticket
from copilot.runtime import Copilot

UNSET = object()


def _ticket(tickets: TicketRepository, ticket_id: str) -> Ticket:
    ticket = tickets.get(ticket_id)
    if ticket is None:
        raise NotFound(f"unknown ticket {ticket_id!r}")
    return ticket


def update_ticket(
    copilot: Copilot,
    ticket_id: str,
    by: Staff,
    *,
    status: str | None = None,
    assignee: object = UNSET,
    priority: int | None = None,
) -> None:
    """Claim, reassign, reprioritise or move a ticket along its life."""
    with copilot.db.session_scope() as session:
        ticket = _ticket(TicketRepository(session), ticket_id)
        if assignee is not UNSET:
            lifecycle.assign(session, ticket, assignee if isinstance(assignee, str) else None, by)
        if priority is not None:
            lifecycle.set_priority(session, ticket, priority, by)
        if status is not None:
            lifecycle.set_status(session, ticket, status, by)
        room_id, viewer_id = ticket.room_id, ticket.viewer_id
    copilot.delivery.tickets_changed(room_id, ticket_id)
    # A person joining or resolving writes a line in the viewer's thread.
    copilot.delivery.conversation_changed(room_id, viewer_id)


def post_message(copilot: Copilot, ticket_id: str, by: Staff, text: str, *, internal: bool) -> int:
    """An agent's reply (delivered to the viewer) or an internal note; returns its id."""
    with copilot.db.session_scope() as session:
        ticket = _ticket(TicketRepository(session), ticket_id)
        message = lifecycle.reply(session, ticket, text, by, internal=internal)
        message_id, room_id, viewer_id = message.id, ticket.room_id, ticket.viewer_id
    copilot.delivery.tickets_changed(room_id, ticket_id)
    if not internal:
        copilot.delivery.conversation_changed(room_id, viewer_id)
    return message_id


def rate(copilot: Copilot, room_id: str, viewer_id: str, score: int) -> str:
    """The viewer rates the help of their latest ticket in the room; returns its id."""
    with copilot.db.session_scope() as session:
        ticket = TicketRepository(session).latest_for(room_id, viewer_id)
        if ticket is None:
            raise Conflict("there is no ticket to rate")
        lifecycle.rate(session, ticket, score)
        ticket_id = ticket.id
    copilot.delivery.tickets_changed(room_id, ticket_id)
    return ticket_id

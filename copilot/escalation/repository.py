"""Every query on tickets."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from copilot.models import Conversation, Ticket


class TicketRepository:
    """Tickets, newest first."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, ticket: Ticket) -> Ticket:
        """Store a new ticket."""
        self.session.add(ticket)
        self.session.flush()
        return ticket

    def get(self, ticket_id: str) -> Ticket | None:
        """One ticket, or None."""
        return self.session.get(Ticket, ticket_id)

    def list(
        self, *, room_id: str | None = None, status: str | None = None, limit: int = 100
    ) -> Sequence[Ticket]:
        """Tickets filtered by room and status."""
        stmt = select(Ticket).order_by(Ticket.created_at.desc(), Ticket.id).limit(limit)
        if room_id:
            stmt = stmt.where(Ticket.room_id == room_id)
        if status:
            stmt = stmt.where(Ticket.status == status)
        return self.session.scalars(stmt).all()

    def delete_for_viewer(self, viewer_id: str) -> int:
        """Delete the viewer's tickets in every room, and any on their conversations; how many."""
        mine = select(Conversation.id).where(Conversation.viewer_id == viewer_id)
        stmt = delete(Ticket).where(
            or_(Ticket.viewer_id == viewer_id, Ticket.conversation_id.in_(mine))
        )
        return len(self.session.scalars(stmt.returning(Ticket.id)).all())

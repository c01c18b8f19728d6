"""Every query on tickets."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from copilot.models import Ticket


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

"""Every query on tickets, their audit trail and agents' presence."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, case, delete, func, or_, select, update
from sqlalchemy.orm import Session

from copilot.models import AgentPresence, Conversation, Ticket, TicketEvent, utcnow

RESOLVED = "resolved"


class TicketRepository:
    """Tickets, the changes made to them, and the queue's order."""

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

    def open_for(self, room_id: str, viewer_id: str) -> Ticket | None:
        """The viewer's ticket in the room that is not resolved (there is at most one)."""
        stmt = (
            select(Ticket)
            .where(
                Ticket.room_id == room_id,
                Ticket.viewer_id == viewer_id,
                Ticket.status != RESOLVED,
            )
            .order_by(Ticket.created_at.desc())
            .limit(1)
        )
        return self.session.scalars(stmt).first()

    def latest_for(self, room_id: str, viewer_id: str) -> Ticket | None:
        """The viewer's most recent ticket in the room, whatever its status."""
        stmt = (
            select(Ticket)
            .where(Ticket.room_id == room_id, Ticket.viewer_id == viewer_id)
            .order_by(Ticket.created_at.desc(), Ticket.id)
            .limit(1)
        )
        return self.session.scalars(stmt).first()

    def list(
        self,
        *,
        room_id: str | None = None,
        status: str | None = None,
        assignee: str | None = None,
        limit: int = 100,
    ) -> Sequence[Ticket]:
        """The queue: unresolved tickets by priority then waiting time, then resolved ones."""
        resolved_last = case((Ticket.status == RESOLVED, 1), else_=0)
        stmt = (
            select(Ticket)
            .order_by(resolved_last, Ticket.priority, Ticket.created_at, Ticket.id)
            .limit(limit)
        )
        if room_id:
            stmt = stmt.where(Ticket.room_id == room_id)
        if status:
            stmt = stmt.where(Ticket.status == status)
        if assignee:
            stmt = stmt.where(Ticket.assignee == assignee)
        return self.session.scalars(stmt).all()

    def since(self, since: datetime, *, room_id: str | None = None) -> Sequence[Ticket]:
        """Tickets created since a moment (for the service metrics)."""
        stmt = select(Ticket).where(Ticket.created_at >= since)
        if room_id:
            stmt = stmt.where(Ticket.room_id == room_id)
        return self.session.scalars(stmt).all()

    def reason_counts(self, room_id: str) -> dict[str, int]:
        """How many of the room's tickets were opened for each reason."""
        stmt = (
            select(Ticket.reason, func.count())
            .where(Ticket.room_id == room_id)
            .group_by(Ticket.reason)
        )
        return {str(reason): int(n) for reason, n in self.session.execute(stmt).all()}

    def held_counts(self) -> dict[str, int]:
        """How many unresolved tickets each assignee holds."""
        stmt = (
            select(Ticket.assignee, func.count())
            .where(Ticket.assignee.is_not(None), Ticket.status != RESOLVED)
            .group_by(Ticket.assignee)
        )
        return {name: count for name, count in self.session.execute(stmt).all() if name}

    def record(self, ticket: Ticket, actor: str, action: str, **detail: Any) -> TicketEvent:
        """Append a change to the ticket's audit trail (its id is the queue's event id)."""
        now = utcnow()
        ticket.updated_at = now
        event = TicketEvent(
            ticket_id=ticket.id, actor=actor, action=action, detail=detail, created_at=now
        )
        self.session.add(event)
        self.session.flush()
        return event

    def trail(self, ticket_id: str) -> Sequence[TicketEvent]:
        """The ticket's audit trail, oldest first."""
        stmt = (
            select(TicketEvent).where(TicketEvent.ticket_id == ticket_id).order_by(TicketEvent.id)
        )
        return self.session.scalars(stmt).all()

    def events_after(self, event_id: int, limit: int = 200) -> Sequence[tuple[TicketEvent, Ticket]]:
        """Changes after an event id, oldest first, with their tickets as they stand."""
        stmt = (
            select(TicketEvent, Ticket)
            .join(Ticket, Ticket.id == TicketEvent.ticket_id)
            .where(TicketEvent.id > event_id)
            .order_by(TicketEvent.id)
            .limit(limit)
        )
        return [(e, t) for e, t in self.session.execute(stmt).all()]

    def last_event_id(self) -> int:
        """The newest change's id (0 when there is none)."""
        return self.session.scalar(select(func.max(TicketEvent.id))) or 0

    def delete_trail_for_viewer(self, viewer_id: str) -> int:
        """Delete the audit trails of the tickets `delete_for_viewer` deletes; how many rows."""
        stmt = delete(TicketEvent).where(TicketEvent.ticket_id.in_(self._viewer_tickets(viewer_id)))
        return len(self.session.scalars(stmt.returning(TicketEvent.id)).all())

    def _viewer_tickets(self, viewer_id: str) -> Select[Any]:
        mine = select(Conversation.id).where(Conversation.viewer_id == viewer_id)
        return select(Ticket.id).where(
            or_(Ticket.viewer_id == viewer_id, Ticket.conversation_id.in_(mine))
        )

    def delete_for_viewer(self, viewer_id: str) -> int:
        """Delete the viewer's tickets in every room, and any on their conversations; how many."""
        stmt = delete(Ticket).where(Ticket.id.in_(self._viewer_tickets(viewer_id)))
        return len(self.session.scalars(stmt.returning(Ticket.id)).all())


class PresenceRepository:
    """Which agents have the console open, and who was given a ticket last."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def beat(self, username: str) -> None:
        """The agent's console is connected now."""
        presence = self.session.get(AgentPresence, username)
        if presence is None:
            self.session.add(AgentPresence(username=username, seen_at=utcnow()))
        else:
            presence.seen_at = utcnow()
        self.session.flush()

    def leave(self, username: str) -> None:
        """The agent's console disconnected."""
        self.session.execute(
            update(AgentPresence)
            .where(AgentPresence.username == username)
            .values(seen_at=utcnow() - timedelta(days=1))
        )

    def online(self, within_s: float) -> Sequence[AgentPresence]:
        """Agents seen in the last `within_s` seconds, longest since their last ticket first."""
        stmt = (
            select(AgentPresence)
            .where(AgentPresence.seen_at >= utcnow() - timedelta(seconds=within_s))
            .order_by(AgentPresence.assigned_at.is_not(None), AgentPresence.assigned_at)
        )
        return self.session.scalars(stmt).all()

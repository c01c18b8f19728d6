"""A ticket's life: open -> assigned -> waiting on the viewer -> resolved, each change audited.

Every function here changes one ticket inside the caller's write session and records who did
what in the audit trail; the caller commits, then publishes (copilot/delivery.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from copilot.accounts.models import Role, User
from copilot.accounts.repository import UserRepository
from copilot.conversations import ConversationRepository
from copilot.errors import Conflict, Forbidden, InvalidInput
from copilot.escalation.handoff import handoff_message
from copilot.escalation.repository import RESOLVED, PresenceRepository, TicketRepository
from copilot.models import Message, Ticket, as_utc, utcnow

OPEN, ASSIGNED, WAITING = "open", "assigned", "waiting"
STATUSES = (OPEN, ASSIGNED, WAITING, RESOLVED)
ASSIGNABLE_ROLES = frozenset({Role.agent.value, Role.supervisor.value})
COPILOT, VIEWER = "copilot", "viewer"  # actors of the audit trail who are not staff


@dataclass(frozen=True)
class Staff:
    """Who acts on a ticket: a username and the role their token carries."""

    username: str
    role: Role

    @property
    def supervises(self) -> bool:
        """Supervisors and admins may assign to anyone and change anything."""
        return self.role in (Role.supervisor, Role.admin)


@dataclass(frozen=True)
class Sla:
    """The service targets: first response and resolution, in seconds from the ticket."""

    first_response_s: float
    resolution_s: float

    def due(self, ticket: Ticket) -> tuple[datetime, datetime]:
        """When the first response and the resolution are due."""
        created = as_utc(ticket.created_at)
        return (
            created + timedelta(seconds=self.first_response_s),
            created + timedelta(seconds=self.resolution_s),
        )

    def breaches(self, ticket: Ticket, now: datetime | None = None) -> tuple[bool, bool]:
        """Whether the first response and the resolution came (or are still) late."""
        now = now or utcnow()
        first_due, resolve_due = self.due(ticket)
        first = as_utc(ticket.first_response_at) if ticket.first_response_at else now
        resolved = as_utc(ticket.resolved_at) if ticket.resolved_at else now
        return first > first_due, resolved > resolve_due


def _tell_viewer(session: Session, ticket: Ticket, kind: str) -> None:
    """A line in the viewer's thread when a person joins it or resolves it."""
    ConversationRepository(session).add_message_to(
        ticket.conversation_id,
        role="copilot",
        text=handoff_message(kind, ticket.language),
        ticket_id=ticket.id,
        kind=kind,
    )


def _assignee_user(session: Session, username: str) -> User:
    user = UserRepository(session).get(username)
    if user is None or user.disabled or user.role not in ASSIGNABLE_ROLES:
        raise InvalidInput(f"{username!r} is not an agent or supervisor account")
    return user


def assign(session: Session, ticket: Ticket, assignee: str | None, by: Staff) -> None:
    """Claim, release or (supervisors) reassign a ticket."""
    if assignee == ticket.assignee:
        return
    if not by.supervises:
        if assignee not in (None, by.username):
            raise Forbidden("agents claim tickets for themselves; a supervisor reassigns")
        if ticket.assignee not in (None, by.username):
            raise Conflict(f"ticket {ticket.id} is held by {ticket.assignee}")
    if assignee is not None:
        _assignee_user(session, assignee)
    previous = ticket.assignee
    ticket.assignee = assignee
    if ticket.status != RESOLVED:
        ticket.status = ASSIGNED if assignee else OPEN
    if assignee is not None and previous is None:
        _tell_viewer(session, ticket, "agent_joined")
    action = "claimed" if assignee == by.username and previous is None else "assigned"
    TicketRepository(session).record(
        ticket,
        by.username,
        action if assignee else "released",
        assignee=assignee,
        previous=previous,
    )


def set_status(session: Session, ticket: Ticket, status: str, by: Staff) -> None:
    """Move the ticket along its life (reopening a resolved one too)."""
    if status not in STATUSES:
        raise InvalidInput(f"status must be one of {', '.join(STATUSES)}")
    if status == ticket.status:
        return
    _check_holder(ticket, by)
    if status in (ASSIGNED, WAITING) and ticket.assignee is None:
        ticket.assignee = _assignee_user(session, by.username).username
    previous = ticket.status
    ticket.status = status
    if status == RESOLVED:
        ticket.resolved_at = utcnow()
        _tell_viewer(session, ticket, "resolved")
    elif previous == RESOLVED:
        ticket.resolved_at = None
    if status == OPEN:
        ticket.assignee = None
    action = "reopened" if previous == RESOLVED else status
    TicketRepository(session).record(ticket, by.username, action, previous=previous)


def set_priority(session: Session, ticket: Ticket, priority: int, by: Staff) -> None:
    """Raise or lower a ticket in the queue."""
    if priority == ticket.priority:
        return
    previous = ticket.priority
    ticket.priority = priority
    TicketRepository(session).record(
        ticket, by.username, "priority", priority=priority, previous=previous
    )


def _check_holder(ticket: Ticket, by: Staff) -> None:
    if not by.supervises and ticket.assignee not in (None, by.username):
        raise Conflict(f"ticket {ticket.id} is held by {ticket.assignee}")


def reply(session: Session, ticket: Ticket, text: str, by: Staff, *, internal: bool) -> Message:
    """An agent's reply to the viewer (claiming an unheld ticket), or an internal note."""
    text = text.strip()
    if not text:
        raise InvalidInput("the message is empty")
    tickets = TicketRepository(session)
    if internal:
        message = ConversationRepository(session).add_message_to(
            ticket.conversation_id,
            role="agent",
            text=text,
            ticket_id=ticket.id,
            internal=True,
            author=by.username,
        )
        tickets.record(ticket, by.username, "note", message_id=message.id)
        return message
    _check_holder(ticket, by)
    if ticket.assignee is None:
        ticket.assignee = by.username
        tickets.record(ticket, by.username, "claimed", assignee=by.username, previous=None)
        # No "joined" line here: the reply that follows says as much.
    message = ConversationRepository(session).add_message_to(
        ticket.conversation_id, role="agent", text=text, ticket_id=ticket.id, author=by.username
    )
    if ticket.first_response_at is None:
        ticket.first_response_at = message.created_at
    previous = ticket.status
    if previous == RESOLVED:
        ticket.resolved_at = None
    ticket.status = WAITING
    ticket.draft = None  # answered: the draft was for the question before
    tickets.record(ticket, by.username, "replied", message_id=message.id, previous=previous)
    return message


def viewer_wrote(session: Session, ticket: Ticket, message: Message, *, draft: str | None) -> None:
    """The viewer wrote on their open ticket: it waits on the agent again, with a draft."""
    tickets = TicketRepository(session)
    if ticket.status == WAITING:
        ticket.status = ASSIGNED if ticket.assignee else OPEN
    ticket.draft = draft
    tickets.record(ticket, VIEWER, "viewer_message", message_id=message.id, draft=bool(draft))


def reopen_for_viewer(session: Session, ticket: Ticket, reason: str) -> None:
    """A resolved ticket comes back when the viewer needs a person again."""
    ticket.status = ASSIGNED if ticket.assignee else OPEN
    ticket.resolved_at = None
    ticket.reason = reason
    TicketRepository(session).record(ticket, VIEWER, "reopened", reason=reason)


def rate(session: Session, ticket: Ticket, score: int) -> None:
    """The viewer's rating of a resolved ticket's help (1-5), once."""
    if ticket.status != RESOLVED:
        raise Conflict("a ticket is rated once it is resolved")
    if not 1 <= score <= 5:
        raise InvalidInput("score must be 1 to 5")
    if ticket.csat is not None:
        raise Conflict("this ticket's help is rated already")
    ticket.csat = score
    TicketRepository(session).record(ticket, VIEWER, "rated", score=score)


def auto_assign(
    session: Session, ticket: Ticket, *, online_within_s: float, cap: int
) -> str | None:
    """Round-robin: the online agent longest without a new ticket, under their cap."""
    presence = PresenceRepository(session)
    held = TicketRepository(session).held_counts()
    for agent in presence.online(online_within_s):
        if held.get(agent.username, 0) >= cap:
            continue
        user = UserRepository(session).get(agent.username)
        if user is None or user.disabled or user.role not in ASSIGNABLE_ROLES:
            continue
        ticket.assignee = agent.username
        ticket.status = ASSIGNED
        agent.assigned_at = utcnow()
        _tell_viewer(session, ticket, "agent_joined")
        TicketRepository(session).record(
            ticket, COPILOT, "assigned", assignee=agent.username, previous=None
        )
        return agent.username
    return None

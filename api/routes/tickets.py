"""The agents' desk: the ticket queue (a list and a live stream), a ticket, replies, metrics."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field
from sse_starlette import EventSourceResponse

from api.deps import CopilotDep, SessionDep
from api.errors import error_responses
from api.security import TicketHandler, authorize, requires
from api.streams import event_stream, resume_from
from copilot.accounts.models import Role
from copilot.accounts.policy import HANDLE_TICKETS, WATCH_TICKETS
from copilot.accounts.service import Principal
from copilot.config import Settings
from copilot.conversations import ConversationRepository
from copilot.errors import NotFound
from copilot.escalation import TicketRepository, desk
from copilot.escalation.canned import CannedReply, canned_replies
from copilot.escalation.lifecycle import Sla, Staff
from copilot.escalation.metrics import service_metrics
from copilot.escalation.repository import PresenceRepository
from copilot.models import Ticket, iso_utc, utcnow
from transcripts.replay import replay_link

router = APIRouter(prefix="/v1/tickets", tags=["tickets"])
MAX_TICKETS = 500  # one page of the console's queue
MAX_METRICS_DAYS = 366
QueueWatcher = Annotated[Principal, Depends(authorize(WATCH_TICKETS))]
PRESENT_ROLES = (Role.agent, Role.supervisor)  # who round-robin assignment may pick


def sla_of(settings: Settings) -> Sla:
    """The configured service targets."""
    return Sla(settings.sla_first_response_s, settings.sla_resolution_s)


def staff(principal: Principal) -> Staff:
    """The caller as the audit trail names them."""
    return Staff(username=principal.subject, role=principal.role)


def summary(ticket: Ticket, settings: Settings, base_url: str) -> dict[str, Any]:
    """A ticket in the queue: who, what, how urgent, and its service targets."""
    sla = sla_of(settings)
    first_due, resolve_due = sla.due(ticket)
    first_late, resolve_late = sla.breaches(ticket)
    replay_base = settings.public_base(base_url) + "/replay"
    return {
        "id": ticket.id,
        "room_id": ticket.room_id,
        "viewer_id": ticket.viewer_id,
        "status": ticket.status,
        "priority": ticket.priority,
        "assignee": ticket.assignee,
        "intent": ticket.intent,
        "reason": ticket.reason,
        "question": ticket.question,
        "at": ticket.at,
        "language": ticket.language,
        "order_id": ticket.order_id,
        "has_draft": bool(ticket.draft),
        "csat": ticket.csat,
        "replay": [replay_link(replay_base, ticket.room_id, m) for m in ticket.moments],
        "created_at": iso_utc(ticket.created_at),
        "updated_at": iso_utc(ticket.updated_at),
        "first_response_at": iso_utc(ticket.first_response_at),
        "resolved_at": iso_utc(ticket.resolved_at),
        "sla": {
            "first_response_due": iso_utc(first_due),
            "resolution_due": iso_utc(resolve_due),
            "first_response_breached": first_late,
            "resolution_breached": resolve_late,
        },
    }


@router.get("", dependencies=[requires(HANDLE_TICKETS)])
def list_tickets(
    request: Request,
    session: SessionDep,
    copilot: CopilotDep,
    room: str | None = None,
    status: Literal["open", "assigned", "waiting", "resolved"] | None = None,
    assignee: str | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_TICKETS)] = 100,
) -> list[dict[str, Any]]:
    """The queue: unresolved tickets by priority, then the longest waiting; resolved last."""
    tickets = TicketRepository(session).list(
        room_id=room, status=status, assignee=assignee, limit=limit
    )
    return [summary(t, copilot.settings, str(request.base_url)) for t in tickets]


@router.get("/events", response_class=EventSourceResponse)
def follow_queue(
    request: Request,
    copilot: CopilotDep,
    principal: QueueWatcher,
    after: Annotated[int | None, Query(ge=0, le=2**62)] = None,
) -> EventSourceResponse:
    """Server-Sent Events: every change of any ticket, `{"id", "type", "actor", "ticket"}`.

    Event ids are audit-trail ids: Last-Event-ID (or `?after=`) resumes after one; a new
    stream starts from now. An agent's open stream marks them online for round-robin.
    """
    settings, base_url = copilot.settings, str(request.base_url)

    def read_after(last: int) -> list[tuple[int, dict[str, Any]]]:
        with copilot.db.read_scope() as session:
            changes = TicketRepository(session).events_after(last)
            return [
                (
                    event.id,
                    {
                        "id": event.id,
                        "type": event.action,
                        "actor": event.actor,
                        "at": iso_utc(event.created_at),
                        "ticket": summary(ticket, settings, base_url),
                    },
                )
                for event, ticket in changes
            ]

    start = resume_from(request, after)
    if start is None:
        with copilot.db.read_scope() as session:
            start = TicketRepository(session).last_event_id()
    present = principal.is_user and principal.role in PRESENT_ROLES

    def beat() -> None:
        with copilot.db.session_scope() as session:
            PresenceRepository(session).beat(principal.subject)

    def leave() -> None:
        with copilot.db.session_scope() as session:
            PresenceRepository(session).leave(principal.subject)

    if present:
        beat()
    return event_stream(
        request,
        copilot.delivery.watch_queue,
        read_after,
        start,
        beat=beat if present else None,
        leave=leave if present else None,
    )


@router.get("/metrics", dependencies=[requires(HANDLE_TICKETS)])
def metrics(
    session: SessionDep,
    copilot: CopilotDep,
    room: str | None = None,
    days: Annotated[float, Query(gt=0, le=MAX_METRICS_DAYS)] = 1.0,
) -> dict[str, object]:
    """Service metrics for tickets of the last `days`: overall, per room and per agent."""
    since = utcnow() - timedelta(days=days)
    return service_metrics(session, sla_of(copilot.settings), since=since, room_id=room)


def _get(session: Any, ticket_id: str) -> Ticket:
    ticket = TicketRepository(session).get(ticket_id)
    if ticket is None:
        raise NotFound(f"unknown ticket {ticket_id!r}")
    return ticket


@router.get("/{ticket_id}", dependencies=[requires(HANDLE_TICKETS)])
def get_ticket(
    ticket_id: str, request: Request, session: SessionDep, copilot: CopilotDep
) -> dict[str, Any]:
    """A ticket: its conversation (notes too), the viewer's orders, evidence, draft and trail."""
    ticket = _get(session, ticket_id)
    thread = ConversationRepository(session).thread(ticket.conversation_id)
    return {
        **summary(ticket, copilot.settings, str(request.base_url)),
        "conversation": [
            {
                "id": m.id,
                "role": m.role,
                "text": m.text,
                "at": m.at,
                "action": m.action,
                "internal": m.internal,
                "author": m.author,
                "kind": m.kind,
                "ticket_id": m.ticket_id,
                "created_at": iso_utc(m.created_at),
            }
            for m in thread
        ],
        "orders": [
            {**order, "concerned": order.get("order_id") == ticket.order_id}
            for order in ticket.orders
        ],
        "evidence": ticket.evidence,
        "draft": ticket.draft,
        "trail": [
            {
                "id": e.id,
                "actor": e.actor,
                "action": e.action,
                "detail": e.detail,
                "at": iso_utc(e.created_at),
            }
            for e in TicketRepository(session).trail(ticket.id)
        ],
    }


@router.get("/{ticket_id}/canned-replies", dependencies=[requires(HANDLE_TICKETS)])
def get_canned_replies(ticket_id: str, session: SessionDep) -> list[CannedReply]:
    """The canned replies in the ticket's language, filled from its order and product."""
    return canned_replies(_get(session, ticket_id))


class TicketUpdate(BaseModel):
    status: Literal["open", "assigned", "waiting", "resolved"] | None = None
    assignee: str | None = Field(
        default=None, max_length=64, description="A username; null releases the ticket."
    )
    priority: int | None = Field(default=None, ge=1, le=3)


@router.patch("/{ticket_id}", responses=error_responses(409))
async def update_ticket(
    ticket_id: str,
    update: TicketUpdate,
    request: Request,
    copilot: CopilotDep,
    principal: TicketHandler,
) -> dict[str, Any]:
    """Claim (assignee: yourself), release, reassign (supervisors), reprioritise or move on.

    Statuses: open -> assigned -> waiting (on the viewer) -> resolved; a resolved ticket set
    back to open or assigned is reopened. Every change goes into the ticket's trail.
    """
    changes: dict[str, Any] = {"status": update.status, "priority": update.priority}
    if "assignee" in update.model_fields_set:
        changes["assignee"] = update.assignee
    await run_in_threadpool(desk.update_ticket, copilot, ticket_id, staff(principal), **changes)
    with copilot.db.read_scope() as session:
        return summary(_get(session, ticket_id), copilot.settings, str(request.base_url))


class MessageIn(BaseModel):
    text: str = Field(min_length=1, max_length=4000)
    internal: bool = Field(default=False, description="A note only staff see.")


@router.post("/{ticket_id}/messages", status_code=201, responses=error_responses(409))
async def post_message(
    ticket_id: str, body: MessageIn, copilot: CopilotDep, principal: TicketHandler
) -> dict[str, Any]:
    """A reply delivered to the viewer's chat, or with `internal: true` a note for staff."""
    message_id = await run_in_threadpool(
        desk.post_message, copilot, ticket_id, staff(principal), body.text, internal=body.internal
    )
    return {"id": message_id, "ticket_id": ticket_id, "internal": body.internal}

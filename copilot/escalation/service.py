"""Opening a ticket: the conversation, the viewer's orders, the evidence and replay links."""

from __future__ import annotations

from sqlalchemy.orm import Session

from copilot.escalation.repository import TicketRepository
from copilot.models import Ticket
from copilot.retrieval import order_view
from copilot.schemas import Context
from knowledge.repository import OrderRepository
from transcripts.replay import replay_link


def replay_links(context: Context, *, base_url: str) -> list[str]:
    """The moment of the question first, then each transcript moment in the evidence."""
    moments = [context.at]
    for evidence in context.promotions + context.transcript + context.recent_transcript:
        if evidence.start is not None and evidence.start not in moments:
            moments.append(evidence.start)
    return [replay_link(base_url, context.room_id, m) for m in moments]


def open_ticket(
    session: Session, *, context: Context, conversation_id: int, reason: str, base_url: str
) -> Ticket:
    """Store a ticket for an agent; the caller commits."""
    evidence = [e.model_dump() for e in context.promotions + context.transcript + context.policies]
    if context.product is not None:
        evidence.insert(
            0,
            {
                "kind": "product",
                "id": context.product.sku,
                "text": context.product.model_dump_json(),
            },
        )
    ticket = Ticket(
        room_id=context.room_id,
        viewer_id=context.viewer_id,
        conversation_id=conversation_id,
        intent=context.understanding.intent,
        reason=reason,
        question=context.text,
        at=context.at,
        language=context.understanding.language,
        evidence=evidence,
        # The agent sees all of this viewer's recent orders, never anyone else's.
        orders=[
            order_view(o).model_dump() for o in OrderRepository(session, context.viewer_id).recent()
        ],
        replay=replay_links(context, base_url=base_url),
    )
    return TicketRepository(session).add(ticket)

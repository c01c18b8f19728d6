"""Opening a ticket: the conversation, the viewer's orders, what bears on the question, moments."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from copilot.escalation.repository import TicketRepository
from copilot.models import Ticket
from copilot.retrieval import order_view
from copilot.schemas import Context, Evidence, OrderView
from knowledge.repository import OrderRepository

# After-sales trouble, payment problems and anger wait least (then the longest waiting first).
URGENT_INTENTS = frozenset({"after_sales", "payment_issue", "complaint", "health_safety"})
URGENT, NORMAL = 1, 2
MAX_STREAM_EVIDENCE = 2  # host lines kept: the agent reads them, and replays their moments
MAX_POLICIES = 2


def priority_for(intent: str) -> int:
    """1 for after-sales, payment and anger; 2 for the rest."""
    return URGENT if intent in URGENT_INTENTS else NORMAL


def bearing_evidence(context: Context) -> list[Evidence]:
    """What bears on the question: its promotions, or else its best host line, and policies."""
    stream = (context.promotions or context.transcript)[:MAX_STREAM_EVIDENCE]
    policies = [p for p in context.policies if context.policy_answers(p)][:MAX_POLICIES]
    return [*stream, *policies]


def concerned_order(context: Context, orders: list[OrderView]) -> str | None:
    """The order the question is about: the one it names, else the one with its product."""
    named = [o.order_id for o in context.orders if o.order_id in context.understanding.order_ids]
    if named:
        return named[0]
    if context.product is not None:
        sku = context.product.sku
        for order in orders:  # most recently updated first
            if order.holds(sku):
                return order.order_id
    return orders[0].order_id if len(orders) == 1 else None


def open_ticket(session: Session, *, context: Context, conversation_id: int, reason: str) -> Ticket:
    """Store a ticket for an agent; the caller commits."""
    kept = bearing_evidence(context)
    evidence: list[dict[str, Any]] = [e.model_dump() for e in kept]
    if context.product is not None:
        evidence.insert(
            0,
            {
                "kind": "product",
                "id": context.product.sku,
                "text": context.product.model_dump_json(),
            },
        )
    moments = [context.at]
    for item in kept:
        if item.start is not None and item.start not in moments:
            moments.append(item.start)
    # The agent sees all of this viewer's recent orders, never anyone else's.
    orders = [order_view(o) for o in OrderRepository(session, context.viewer_id).recent()]
    ticket = Ticket(
        room_id=context.room_id,
        viewer_id=context.viewer_id,
        conversation_id=conversation_id,
        intent=context.understanding.intent,
        reason=reason,
        question=context.text,
        at=context.at,
        language=context.understanding.language,
        priority=priority_for(context.understanding.intent),
        evidence=evidence,
        orders=[o.model_dump() for o in orders],
        order_id=concerned_order(context, orders),
        moments=moments,
    )
    return TicketRepository(session).add(ticket)

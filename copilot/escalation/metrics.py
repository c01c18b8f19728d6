"""Service metrics per room and per agent: response and resolution times, SLA, deflection, CSAT."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import datetime

import numpy as np
from pydantic import BaseModel
from sqlalchemy.orm import Session

from copilot.conversations import ConversationRepository
from copilot.escalation.lifecycle import Sla
from copilot.escalation.repository import RESOLVED, TicketRepository
from copilot.models import Ticket, as_utc, utcnow


class ServiceMetrics(BaseModel):
    """One group's figures; times in seconds, None where nothing was measured."""

    tickets: int = 0
    resolved: int = 0
    first_response_p50_s: float | None = None
    first_response_p90_s: float | None = None
    resolution_p50_s: float | None = None
    within_sla: float | None = None  # share of tickets whose targets were (or still are) met
    csat: float | None = None  # mean of 1-5 ratings
    ratings: int = 0
    answered: int | None = None  # copilot answers (rooms only)
    deflection: float | None = None  # answered without a person, of questions answered or handed


def _percentile(values: list[float], q: float) -> float | None:
    return round(float(np.percentile(values, q)), 1) if values else None


def _figures(tickets: Iterable[Ticket], sla: Sla, now: datetime) -> ServiceMetrics:
    tickets = list(tickets)
    first = [
        (as_utc(t.first_response_at) - as_utc(t.created_at)).total_seconds()
        for t in tickets
        if t.first_response_at
    ]
    resolution = [
        (as_utc(t.resolved_at) - as_utc(t.created_at)).total_seconds()
        for t in tickets
        if t.resolved_at and t.status == RESOLVED
    ]
    met = [not any(sla.breaches(t, now)) for t in tickets]
    ratings = [t.csat for t in tickets if t.csat]
    return ServiceMetrics(
        tickets=len(tickets),
        resolved=sum(t.status == RESOLVED for t in tickets),
        first_response_p50_s=_percentile(first, 50),
        first_response_p90_s=_percentile(first, 90),
        resolution_p50_s=_percentile(resolution, 50),
        within_sla=round(sum(met) / len(met), 3) if met else None,
        csat=round(sum(ratings) / len(ratings), 2) if ratings else None,
        ratings=len(ratings),
    )


def _with_deflection(figures: ServiceMetrics, actions: Counter[str] | None) -> ServiceMetrics:
    """Add the copilot's answers and the share of questions it resolved without a person."""
    counts = actions or Counter()
    handled = counts["answer"] + counts["escalate"]
    figures.answered = counts["answer"]
    figures.deflection = round(counts["answer"] / handled, 3) if handled else None
    return figures


def service_metrics(
    session: Session, sla: Sla, *, since: datetime, room_id: str | None = None
) -> dict[str, object]:
    """Figures overall, per room (with deflection) and per agent, for tickets since a moment."""
    now = utcnow()
    tickets = TicketRepository(session).since(since, room_id=room_id)
    by_room: dict[str, list[Ticket]] = defaultdict(list)
    by_agent: dict[str, list[Ticket]] = defaultdict(list)
    for ticket in tickets:
        by_room[ticket.room_id].append(ticket)
        if ticket.assignee:
            by_agent[ticket.assignee].append(ticket)
    actions = ConversationRepository(session).actions_since(since, room_id)
    rooms = {
        room: _with_deflection(_figures(by_room.get(room, []), sla, now), actions.get(room))
        for room in sorted({*by_room, *actions})
    }
    overall = _with_deflection(_figures(tickets, sla, now), sum(actions.values(), Counter()))
    return {
        "since": since.isoformat(),
        "sla": {"first_response_s": sla.first_response_s, "resolution_s": sla.resolution_s},
        "overall": overall,
        "rooms": rooms,
        "agents": {name: _figures(group, sla, now) for name, group in sorted(by_agent.items())},
    }

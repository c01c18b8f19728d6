"""SQLAlchemy models: conversations, messages, tickets, their audit trail, agents' presence."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from knowledge.models import Base


def _new_id() -> str:
    return uuid.uuid4().hex[:12]


def utcnow() -> datetime:
    """Now, timezone-aware: every timestamp this module writes."""
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """A stored timestamp as aware UTC (SQLite hands them back naive)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def iso_utc(moment: datetime | None) -> str | None:
    """A stored timestamp as ISO 8601 with its UTC offset, so clients never guess the zone."""
    return as_utc(moment).isoformat() if moment is not None else None


class Conversation(Base):
    __tablename__ = "conversations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    room_id: Mapped[str] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"), index=True)
    viewer_id: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Message(Base):
    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(16))  # "viewer", "copilot" or "agent"
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[float | None] = mapped_column(Float, nullable=True)
    action: Mapped[str | None] = mapped_column(String(16), nullable=True)
    intent: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # The ticket open when the message was written (no foreign key: erasing a ticket's
    # copies must not need the messages first).
    ticket_id: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    internal: Mapped[bool] = mapped_column(Boolean, default=False)  # a note: staff only
    author: Mapped[str | None] = mapped_column(String(64), nullable=True)  # the agent
    kind: Mapped[str | None] = mapped_column(String(16), nullable=True)  # "resolved": rate us
    # On a viewer's question, for the show's review: the product it was about, and how long
    # the copilot worked on it (ms, before the records were written).
    product_sku: Mapped[str | None] = mapped_column(String(64), nullable=True)
    latency_ms: Mapped[float | None] = mapped_column(Float, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Ticket(Base):
    __tablename__ = "tickets"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=_new_id)
    room_id: Mapped[str] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"), index=True)
    viewer_id: Mapped[str] = mapped_column(String(64), index=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"))
    status: Mapped[str] = mapped_column(String(16), default="open")
    priority: Mapped[int] = mapped_column(Integer, default=2)  # 1 first
    assignee: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    intent: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)
    question: Mapped[str] = mapped_column(Text)
    at: Mapped[float] = mapped_column(Float)
    language: Mapped[str] = mapped_column(String(8))
    evidence: Mapped[list[Any]] = mapped_column(default=list)
    orders: Mapped[list[Any]] = mapped_column(default=list)
    moments: Mapped[list[Any]] = mapped_column(default=list)  # stream seconds to replay
    order_id: Mapped[str | None] = mapped_column(String(64), nullable=True)  # the one concerned
    draft: Mapped[str | None] = mapped_column(Text, nullable=True)  # the copilot's, for the agent
    csat: Mapped[int | None] = mapped_column(Integer, nullable=True)  # the viewer's 1-5
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    first_response_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class TicketEvent(Base):
    """The audit trail: every change of a ticket, who made it and when; the queue's event ids."""

    __tablename__ = "ticket_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ticket_id: Mapped[str] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    actor: Mapped[str] = mapped_column(String(64))  # a username, "viewer" or "copilot"
    action: Mapped[str] = mapped_column(String(32))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AgentPresence(Base):
    """Agents with the console open (its event stream beats), for round-robin assignment."""

    __tablename__ = "agent_presence"

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    assigned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

"""Stored host prompts and their change log (the host panel's event ids)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from copilot.models import utcnow
from knowledge.models import Base


class HostPrompt(Base):
    """What many viewers are asking, as the host panel shows it."""

    __tablename__ = "host_prompts"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    room_id: Mapped[str] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="open")
    view: Mapped[dict[str, Any]] = mapped_column(default=dict)  # the API's prompt object
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class HostPromptEvent(Base):
    """Every change of a prompt, in order: a panel's stream resumes after the last it saw."""

    __tablename__ = "host_prompt_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    room_id: Mapped[str] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"), index=True)
    prompt_id: Mapped[str] = mapped_column(String(32))
    view: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

"""Queries on host prompts and their change log."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from copilot.hostprompts.models import HostPrompt, HostPromptEvent
from copilot.models import utcnow

EVENTS_PER_READ = 200


class PromptRepository:
    """One room's prompts."""

    def __init__(self, session: Session, room_id: str) -> None:
        self.session = session
        self.room_id = room_id

    def save(self, view: dict[str, Any]) -> int:
        """Store a prompt's new state and log it; returns the event id."""
        prompt = self.session.get(HostPrompt, view["id"])
        if prompt is None:
            prompt = HostPrompt(id=view["id"], room_id=self.room_id)
            self.session.add(prompt)
        prompt.status = view["status"]
        prompt.view = view
        prompt.updated_at = utcnow()
        event = HostPromptEvent(room_id=self.room_id, prompt_id=view["id"], view=view)
        self.session.add(event)
        self.session.flush()
        return event.id

    def get(self, prompt_id: str) -> HostPrompt | None:
        """A prompt of this room, or None."""
        prompt = self.session.get(HostPrompt, prompt_id)
        return prompt if prompt is not None and prompt.room_id == self.room_id else None

    def views(self, status: str | None = None) -> list[dict[str, Any]]:
        """The prompts as the API shows them, the most viewers first."""
        query = select(HostPrompt).where(HostPrompt.room_id == self.room_id)
        if status is not None:
            query = query.where(HostPrompt.status == status)
        views = [p.view for p in self.session.scalars(query)]
        return sorted(views, key=lambda v: (-v["count"], -v["last_at"]))

    def events_after(self, last: int) -> list[tuple[int, dict[str, Any]]]:
        """Changes after event id `last`, oldest first."""
        query = (
            select(HostPromptEvent)
            .where(HostPromptEvent.room_id == self.room_id, HostPromptEvent.id > last)
            .order_by(HostPromptEvent.id)
            .limit(EVENTS_PER_READ)
        )
        return [(e.id, e.view) for e in self.session.scalars(query)]

    def last_event_id(self) -> int:
        """The newest change's id (0 when there is none)."""
        query = select(func.max(HostPromptEvent.id)).where(HostPromptEvent.room_id == self.room_id)
        return self.session.scalar(query) or 0

"""Every query on conversations and their messages."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from copilot.models import Conversation, Message, as_utc

VIEWER_PAGE = 200  # messages per read of a viewer's history or stream
THREAD_MESSAGES = 200  # the ticket view's conversation


class ConversationRepository:
    """A viewer's conversation in a room."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def for_viewer(self, room_id: str, viewer_id: str) -> Conversation:
        """The viewer's conversation in the room, started if new."""
        stmt = select(Conversation).where(
            Conversation.room_id == room_id, Conversation.viewer_id == viewer_id
        )
        conversation = self.session.scalars(stmt).first()
        if conversation is None:
            conversation = Conversation(room_id=room_id, viewer_id=viewer_id)
            self.session.add(conversation)
            self.session.flush()
        return conversation

    def add_message(self, conversation: Conversation, **fields: Any) -> Message:
        """Append a message (role, text and optionally at, action, intent, ticket_id, ...)."""
        return self.add_message_to(conversation.id, **fields)

    def add_message_to(self, conversation_id: int, **fields: Any) -> Message:
        """Append a message to a conversation known by id."""
        message = Message(conversation_id=conversation_id, **fields)
        self.session.add(message)
        self.session.flush()
        return message

    def viewer_messages_after(
        self, room_id: str, viewer_id: str, after: int = 0, limit: int = VIEWER_PAGE
    ) -> Sequence[Message]:
        """What the viewer may see of their conversation after a message id, oldest first.

        Notes never, nor the copilot's silences (reactions it ignored).
        """
        stmt = (
            select(Message)
            .join(Conversation, Conversation.id == Message.conversation_id)
            .where(
                Conversation.room_id == room_id,
                Conversation.viewer_id == viewer_id,
                Message.id > after,
                Message.internal.is_(False),
                or_(Message.text != "", Message.kind.is_not(None)),
            )
            .order_by(Message.id)
            .limit(limit)
        )
        return self.session.scalars(stmt).all()

    def thread(self, conversation_id: int, limit: int = THREAD_MESSAGES) -> Sequence[Message]:
        """A conversation as staff see it (notes included), the latest `limit`, oldest first."""
        stmt = (
            select(Message)
            .where(Message.conversation_id == conversation_id)
            .order_by(Message.id.desc())
            .limit(limit)
        )
        return list(reversed(self.session.scalars(stmt).all()))

    def recent_questions(self, room_id: str, limit: int = 50) -> Sequence[tuple[Message, str]]:
        """The room's latest viewer messages with their viewer ids, newest first."""
        stmt = (
            select(Message, Conversation.viewer_id)
            .join(Conversation, Conversation.id == Message.conversation_id)
            .where(Conversation.room_id == room_id, Message.role == "viewer")
            .order_by(Message.id.desc())
            .limit(limit)
        )
        return [(m, v) for m, v in self.session.execute(stmt).all()]

    def room_questions(self, room_id: str) -> list[tuple[Message, str, str | None]]:
        """Every viewer question of the room with a stream moment, with its viewer and the
        copilot's answer to it (None when it did not answer), in stream order."""
        stmt = (
            select(Message, Conversation.viewer_id)
            .join(Conversation, Conversation.id == Message.conversation_id)
            .where(Conversation.room_id == room_id, Message.role.in_(("viewer", "copilot")))
            .order_by(Message.conversation_id, Message.id)
        )
        asked: list[tuple[Message, str, str | None]] = []
        for message, viewer in self.session.execute(stmt).all():
            if message.role == "viewer" and message.at is not None:
                asked.append((message, viewer, None))
            elif message.role == "copilot" and message.action == "answer" and asked:
                question, asker, answer = asked[-1]
                if asker == viewer and answer is None:
                    asked[-1] = (question, asker, message.text)
        return sorted(asked, key=lambda row: (row[0].at or 0.0, row[0].id))

    def questions_per_minute(self, room_id: str, minutes: int, now: datetime) -> list[int]:
        """Viewer messages in each of the last `minutes` minutes before `now`, oldest first."""
        since = now - timedelta(minutes=minutes)
        stmt = (
            select(Message.created_at)
            .join(Conversation, Conversation.id == Message.conversation_id)
            .where(Conversation.room_id == room_id, Message.role == "viewer")
            .where(Message.created_at >= since)
        )
        counts = [0] * minutes
        for (created,) in self.session.execute(stmt).all():
            age = (now - as_utc(created)).total_seconds() // 60
            if 0 <= age < minutes:
                counts[minutes - 1 - int(age)] += 1
        return counts

    def actions_since(self, since: datetime, room_id: str | None = None) -> dict[str, Counter[str]]:
        """Per room, how the copilot's replies since a moment went: answer, escalate, ..."""
        stmt = (
            select(Conversation.room_id, Message.action, func.count())
            .join(Conversation, Conversation.id == Message.conversation_id)
            .where(Message.role == "copilot", Message.action.is_not(None))
            .where(Message.created_at >= since)
            .group_by(Conversation.room_id, Message.action)
        )
        if room_id:
            stmt = stmt.where(Conversation.room_id == room_id)
        counts: dict[str, Counter[str]] = {}
        for room, action, count in self.session.execute(stmt).all():
            counts.setdefault(room, Counter())[str(action)] += count
        return counts

    def delete_messages_for_viewer(self, viewer_id: str) -> int:
        """Delete every message of the viewer's conversations, in every room; returns how many."""
        mine = select(Conversation.id).where(Conversation.viewer_id == viewer_id)
        stmt = delete(Message).where(Message.conversation_id.in_(mine)).returning(Message.id)
        return len(self.session.scalars(stmt).all())

    def delete_for_viewer(self, viewer_id: str) -> int:
        """Delete the viewer's conversations in every room (messages cascade); returns how many."""
        stmt = delete(Conversation).where(Conversation.viewer_id == viewer_id)
        return len(self.session.scalars(stmt.returning(Conversation.id)).all())

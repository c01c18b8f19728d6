"""Every query on conversations and their messages."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from copilot.models import Conversation, Message

HISTORY_MESSAGES = 20


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

    def add_message(
        self,
        conversation: Conversation,
        *,
        role: str,
        text: str,
        at: float | None = None,
        action: str | None = None,
        intent: str | None = None,
    ) -> Message:
        """Append a message."""
        message = Message(
            conversation_id=conversation.id,
            role=role,
            text=text,
            at=at,
            action=action,
            intent=intent,
        )
        self.session.add(message)
        self.session.flush()
        return message

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

    def history(self, conversation_id: int, limit: int = HISTORY_MESSAGES) -> Sequence[Message]:
        """The last messages of a conversation, oldest first."""
        stmt = (
            select(Message)
            .where(Message.conversation_id == conversation_id)
            .order_by(Message.id.desc())
            .limit(limit)
        )
        return list(reversed(self.session.scalars(stmt).all()))

    def delete_messages_for_viewer(self, viewer_id: str) -> int:
        """Delete every message of the viewer's conversations, in every room; returns how many."""
        mine = select(Conversation.id).where(Conversation.viewer_id == viewer_id)
        stmt = delete(Message).where(Message.conversation_id.in_(mine)).returning(Message.id)
        return len(self.session.scalars(stmt).all())

    def delete_for_viewer(self, viewer_id: str) -> int:
        """Delete the viewer's conversations in every room (messages cascade); returns how many."""
        stmt = delete(Conversation).where(Conversation.viewer_id == viewer_id)
        return len(self.session.scalars(stmt.returning(Conversation.id)).all())

"""Erasing a viewer (PIPL art. 47): conversations, messages, tickets and their trails, everywhere.

What is kept: the shop's orders. They are transaction records the shop must keep (China's
E-commerce Law art. 31: three years), they are not the copilot's to delete, and once the
tickets (which copied them) and the conversations are gone nothing links them to chat.

Voice questions leave nothing behind to erase: a clip is decoded in memory, transcribed and
dropped (copilot/voice.py); only its transcript is stored, as a message. The audio archive
(transcripts/archive.py) holds the host's stream, never a viewer's voice.

Outside SQL, the embedder's query cache (knowledge/embedder.py, CachedEmbedder) keeps vectors
of recent question texts keyed by the text: in memory only, never written to disk, not linked
to any viewer id, bounded (QUERY_CACHE_SIZE, least recently used first out) and gone when the
process restarts. Passage vectors on disk are of catalog, transcript and example texts only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session

from copilot.conversations import ConversationRepository
from copilot.errors import InvalidInput
from copilot.escalation.repository import TicketRepository
from copilot.models import Conversation, Message, Ticket, TicketEvent
from knowledge.models import Order


@dataclass(frozen=True)
class Erasure:
    """One table of per-viewer records: its name (the report's key) and how to delete the rows."""

    table: str
    erase: Callable[[Session, str], int]  # (session, viewer_id) -> rows deleted


# Every table that holds a viewer's data, children before the rows they point at (a ticket
# points at its conversation, a message belongs to one). A new per-viewer table is one line
# here; tests/copilot/test_privacy.py fails on a table with a viewer_id, or a foreign key
# into these, that is neither listed here nor in RETAINED.
ERASURES: tuple[Erasure, ...] = (
    Erasure(TicketEvent.__tablename__, lambda s, v: TicketRepository(s).delete_trail_for_viewer(v)),
    Erasure(Ticket.__tablename__, lambda s, v: TicketRepository(s).delete_for_viewer(v)),
    Erasure(
        Message.__tablename__, lambda s, v: ConversationRepository(s).delete_messages_for_viewer(v)
    ),
    Erasure(
        Conversation.__tablename__, lambda s, v: ConversationRepository(s).delete_for_viewer(v)
    ),
)

# Tables that carry a viewer id but are kept, and why.
RETAINED: dict[str, str] = {
    Order.__tablename__: "the shop's transaction records, kept by law; chat no longer links them",
}


class ErasureReport(BaseModel):
    """How many of the viewer's records were deleted, per table (0 for an unknown viewer)."""

    # A table added to ERASURES reports its count under its name without further changes.
    model_config = ConfigDict(extra="allow")

    viewer_id: str
    conversations: int = 0
    messages: int = 0
    tickets: int = 0
    ticket_events: int = 0  # the tickets' audit trails


def erase_viewer(session: Session, *, viewer_id: str) -> ErasureReport:
    """Delete everything the copilot holds about one viewer, in every room; the caller commits."""
    if not viewer_id.strip():
        raise InvalidInput("viewer_id is required")
    counts = {erasure.table: erasure.erase(session, viewer_id) for erasure in ERASURES}
    return ErasureReport.model_validate({"viewer_id": viewer_id, **counts})

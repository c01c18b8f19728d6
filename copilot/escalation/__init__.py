"""Hand-over to a human agent: tickets with everything the agent needs."""

from copilot.escalation.repository import TicketRepository
from copilot.escalation.service import ESCALATING_INTENTS, open_ticket

__all__ = ["ESCALATING_INTENTS", "TicketRepository", "open_ticket"]

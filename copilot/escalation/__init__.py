"""Hand-over to a human agent: tickets with everything the agent needs."""

from copilot.escalation.repository import TicketRepository
from copilot.escalation.service import open_ticket

__all__ = ["TicketRepository", "open_ticket"]

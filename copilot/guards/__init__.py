"""Checks a draft must pass before a viewer sees it."""

from copilot.guards.grounding import GuardVerdict, check_draft

__all__ = ["GuardVerdict", "check_draft"]

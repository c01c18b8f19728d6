"""One error hierarchy; the API maps each class to one HTTP status."""

from __future__ import annotations


class CopilotError(Exception):
    """Base of every error the copilot reports to a caller."""

    status_code = 400

    def __init__(self, message: str, **details: object) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class InvalidInput(CopilotError):
    """The request or file is malformed."""

    status_code = 422


class NotFound(CopilotError):
    """A room, ticket or other record does not exist."""

    status_code = 404


class PayloadTooLarge(CopilotError):
    """A message or upload is over its limit."""

    status_code = 413


class UnsupportedMedia(CopilotError):
    """An upload is not audio that can be decoded."""

    status_code = 415

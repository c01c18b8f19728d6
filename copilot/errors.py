"""One error hierarchy; the API maps each class to one HTTP status."""

from __future__ import annotations

import math


class CopilotError(Exception):
    """Base of every error the copilot reports to a caller."""

    status_code = 400
    headers: dict[str, str] = {}  # noqa: RUF012  (overridden per class or instance, never mutated)

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


class Unauthenticated(CopilotError):
    """No token, or one that is malformed, forged or expired."""

    status_code = 401
    headers = {"WWW-Authenticate": "Bearer"}  # noqa: RUF012


class Forbidden(CopilotError):
    """A valid token whose role or room may not do this."""

    status_code = 403


class Conflict(CopilotError):
    """The record exists already."""

    status_code = 409


class TooManyRequests(CopilotError):
    """A rate limit was hit; `retry_after_s` says when to try again."""

    status_code = 429

    def __init__(self, message: str, *, retry_after_s: float) -> None:
        super().__init__(message, retry_after_s=round(retry_after_s, 2))
        self.retry_after_s = retry_after_s
        # Whole seconds, rounded up: a client that waits this long finds a token.
        self.headers = {"Retry-After": str(max(1, math.ceil(retry_after_s)))}

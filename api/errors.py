"""The API's one error shape, `{"error": "message", ...details}`, its handlers and its spec entries.

Every error leaves through one of these handlers: the copilot's own (`CopilotError`), the
framework's (`HTTPException`: unknown path, wrong method, a dependency's 400/401/413...),
request validation, and a last one for anything unexpected, so no answer is ever a
traceback or an HTML page. The app declares the statuses with `ERROR_RESPONSES`, so the
OpenAPI spec lists every status the API can return.
"""

from __future__ import annotations

import logging
import math
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException

from copilot.errors import CopilotError

logger = logging.getLogger(__name__)

INTERNAL_ERROR = "internal error"
# Statuses whose responses carry no body (RFC 9110), passed through as they are.
BODILESS_STATUSES = frozenset({204, 304})


class Error(BaseModel):
    """Every error response: a message for people, sometimes with details for programs."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={"examples": [{"error": "unknown room 'x'"}]},
    )

    error: str = Field(description="What is wrong, in one sentence.")


_DESCRIPTIONS: dict[int, str] = {
    400: "Malformed request: a body that is not UTF-8, a broken multipart form.",
    401: "No bearer token, or one that is invalid or expired.",
    403: "The token's role may not do this.",
    404: "Unknown room, ticket or path.",
    409: "The record exists already.",
    413: "A body, upload or question over its limit.",
    415: "A body of the wrong content type, or an upload that is not audio.",
    416: "A byte `Range` outside the body; `Content-Range` gives its size.",
    422: "An invalid parameter or body; `details` lists what is wrong.",
    429: "Too many requests; `Retry-After` says when to try again.",
}


_HEADERS: dict[int, dict[str, Any]] = {
    401: {"WWW-Authenticate": {"description": "`Bearer`", "schema": {"type": "string"}}},
    416: {"Content-Range": {"description": "`bytes */{size}`", "schema": {"type": "string"}}},
    429: {"Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}},
}


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI `responses` entries of these error statuses, each with the `Error` body."""
    responses: dict[int | str, dict[str, Any]] = {}
    for code in codes:
        entry: dict[str, Any] = {
            "model": Error,
            "description": _DESCRIPTIONS.get(code) or _phrase(code),
        }
        if code in _HEADERS:
            entry["headers"] = _HEADERS[code]
        responses[code] = entry
    return responses


# What every operation declares: create_app passes it as the app's `responses`, so each route,
# of every router, inherits it. A route that can also answer 409 or 416 adds
# `error_responses(409)` to its own `responses`.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = error_responses(
    400, 401, 403, 404, 413, 415, 422, 429
)


def json_safe(value: object) -> Any:
    """`value` as plain JSON: bytes decoded leniently, non-finite floats and objects as text."""
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", "replace")
    if isinstance(value, dict):
        return {str(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [json_safe(item) for item in value]
    return str(value)


def _phrase(status_code: int) -> str:
    try:
        return HTTPStatus(status_code).phrase
    except ValueError:
        return ""


def _error_body(message: str, details: dict[str, object]) -> dict[str, Any]:
    body: dict[str, Any] = {"error": message}
    body.update({key: json_safe(v) for key, v in details.items() if key != "error"})
    return body


def _validation_details(errors: list[Any]) -> list[dict[str, Any]]:
    # `input` is left out: it may be bytes, an upload or a non-finite float (JSONResponse
    # cannot encode those), and echoing a body back could repeat a password or a token.
    return [
        {key: json_safe(error[key]) for key in ("type", "loc", "msg", "ctx") if key in error}
        for error in errors
        if isinstance(error, dict)
    ]


def _validation_message(error: dict[str, Any]) -> str:
    location = [str(part) for part in error.get("loc", ()) if part != "body"]
    message = str(error.get("msg", "invalid request"))
    if error.get("type") == "json_invalid":
        reason = json_safe((error.get("ctx") or {}).get("error", "")) or message
        at = f" at character {location[0]}" if location else ""
        return f"the body is not valid JSON{at}: {reason}"
    return f"{'.'.join(location)}: {message}" if location else message


def _unparsed_body(errors: list[Any]) -> bool:
    """True when a JSON body arrived undecoded: FastAPI passes bytes on for other content types."""
    return any(
        isinstance(error, dict)
        and tuple(error.get("loc", ()))[:1] == ("body",)
        and isinstance(error.get("input"), bytes | bytearray)
        for error in errors
    )


def install_error_handlers(app: FastAPI) -> None:
    """Make every error of `app` a JSON `{"error": ...}` with a 4xx status, or a bare 500."""

    @app.exception_handler(CopilotError)
    async def _copilot_error(_: Request, exc: CopilotError) -> JSONResponse:
        return JSONResponse(
            _error_body(exc.message, exc.details),
            status_code=exc.status_code,
            headers=exc.headers or None,
        )

    @app.exception_handler(DataError)
    async def _refused_by_database(_: Request, exc: DataError) -> JSONResponse:
        # Values the database cannot store (PostgreSQL refuses NUL characters in text): the
        # transaction is rolled back whole, so nothing was half-written.
        cause = str(exc.orig).splitlines()[0] if exc.orig else "invalid value"
        return JSONResponse({"error": f"a value cannot be stored: {cause}"}, status_code=422)

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, exc: HTTPException) -> Response:
        if exc.status_code in BODILESS_STATUSES:
            return Response(status_code=exc.status_code, headers=exc.headers)
        detail: object = exc.detail
        phrase = _phrase(exc.status_code)
        if isinstance(detail, dict) and isinstance(detail.get("error"), str):
            body = _error_body(detail["error"], detail)
        elif isinstance(detail, str) and detail and detail != phrase:
            body = {"error": detail}
        elif detail is None or detail == phrase:
            # The framework's own 404 and 405 say only the phrase: name what was asked for.
            body = {"error": f"{phrase.lower() or 'error'}: {request.method} {request.url.path}"}
        else:
            body = {"error": phrase.lower() or "error", "details": json_safe(detail)}
        return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = list(exc.errors())
        if _unparsed_body(errors):
            got = request.headers.get("content-type") or "no Content-Type"
            message = f"the body must be JSON (Content-Type: application/json); got {got}"
            return JSONResponse({"error": message}, status_code=415)
        first = errors[0] if errors and isinstance(errors[0], dict) else {}
        return JSONResponse(
            {"error": _validation_message(first), "details": _validation_details(errors)},
            status_code=422,
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # A bug, not a bad request: logged whole here, answered without a trace of it.
        logger.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return JSONResponse({"error": INTERNAL_ERROR}, status_code=500)

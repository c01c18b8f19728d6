"""Every route's policy as a dependency, the Host allowlist, and the spec's security scheme.

A route declares who may call it with `Depends(authorize(rule))` (or `PublicRoute`), using the
rules of copilot.accounts.policy; tests/api/test_security.py lists every route and fails on one
that declares none.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import Depends, FastAPI, WebSocketException, params
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts
from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket

from copilot.accounts.policy import (
    ASK,
    HANDLE_TICKETS,
    LIST_ROOMS,
    MANAGE_USERS,
    PUBLIC,
    READ_ROOM,
    WHOAMI,
    Rule,
)
from copilot.accounts.service import InvalidToken, Principal, check_user, decode_token
from copilot.config import Settings
from copilot.errors import CopilotError, Forbidden, InvalidInput, NotFound, Unauthenticated
from copilot.runtime import Copilot

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")
WS_UNAUTHENTICATED = 4401  # close codes mirror HTTP statuses, as the audio protocol's do
WS_FORBIDDEN = 4403
BEARER_SCHEME = "bearer"


class Authorize:
    """The dependency that enforces one rule; returns the caller (None on public routes)."""

    def __init__(self, rule: Rule) -> None:
        self.rule = rule

    def __call__(self, connection: HTTPConnection) -> Principal | None:
        copilot: Copilot = connection.app.state.copilot
        try:
            return self._authorize(connection, copilot)
        except CopilotError as exc:
            if isinstance(connection, WebSocket):
                code = WS_UNAUTHENTICATED if exc.status_code == 401 else WS_FORBIDDEN
                raise WebSocketException(code=code, reason=exc.message) from exc
            raise

    def _authorize(self, connection: HTTPConnection, copilot: Copilot) -> Principal | None:
        if self.rule.demo_only and not copilot.settings.demo:
            raise NotFound("the demo viewer picker only exists while `copilot demo` serves")
        if self.rule.public:
            return None
        token = _bearer(
            connection, query=self.rule.query_token or isinstance(connection, WebSocket)
        )
        try:
            principal = decode_token(copilot.settings, token)
            if principal.is_user:
                with copilot.db.read_scope() as session:
                    check_user(session, principal)
        except InvalidToken as exc:
            raise Unauthenticated(f"invalid token: {exc}") from exc
        room = connection.path_params.get("room")
        self.rule.check(principal, room if isinstance(room, str) else None)
        return principal


def _bearer(connection: HTTPConnection, *, query: bool) -> str:
    header = connection.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    if query and connection.query_params.get("token"):
        return connection.query_params["token"]
    where = "an Authorization: Bearer header" + (" or ?token=" if query else "")
    raise Unauthenticated(f"this route needs a token in {where}")


_authorizers: dict[Rule, Authorize] = {}


def authorize(rule: Rule) -> Authorize:
    """The one Authorize instance of a rule (FastAPI then runs it once per request)."""
    return _authorizers.setdefault(rule, Authorize(rule))


def requires(rule: Rule) -> params.Depends:
    """A route dependency enforcing the rule, for routes that need not know who calls."""
    return params.Depends(authorize(rule))


PublicRoute = requires(PUBLIC)
# Callers of the routes that need to know who calls, one alias per rule they use.
Anyone = Annotated[Principal, Depends(authorize(WHOAMI))]
Asker = Annotated[Principal, Depends(authorize(ASK))]
UserManager = Annotated[Principal, Depends(authorize(MANAGE_USERS))]
TicketHandler = Annotated[Principal, Depends(authorize(HANDLE_TICKETS))]
RoomReader = Annotated[Principal, Depends(authorize(READ_ROOM))]
RoomLister = Annotated[Principal, Depends(authorize(LIST_ROOMS))]


def app_routes(app: FastAPI) -> list[RouteContext]:
    """Every route of the app, those of included routers too, with their merged dependencies."""
    return list(iter_route_contexts(app.routes))


def route_rule(route: RouteContext) -> Rule | None:
    """The rule a route declares, found among its dependencies (None: it declares none)."""
    dependant = getattr(route, "dependant", None)
    if dependant is None:  # a plain Starlette route or mount: no dependencies at all
        return None
    pending = [dependant]
    while pending:
        dependant = pending.pop()
        if isinstance(dependant.call, Authorize):
            return dependant.call.rule
        pending.extend(dependant.dependencies)
    return None


def allowed_hosts(settings: Settings) -> set[str]:
    """Loopback, the configured names, and the host of COPILOT_PUBLIC_URL."""
    hosts = {*LOOPBACK_HOSTS, *settings.allowed_hosts}
    public_host = urlsplit(settings.public_url).hostname
    if public_host:
        hosts.add(public_host)
    if settings.host not in ("0.0.0.0", "::", ""):
        hosts.add(settings.host)
    return hosts


class HostAllowlist:
    """Refuses requests whose Host header is not this service's (DNS rebinding), with JSON."""

    def __init__(self, app: ASGIApp, hosts: set[str]) -> None:
        self.app = app
        self.any_host = "*" in hosts
        self.hosts = {h.lower() for h in hosts}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or self.any_host:
            await self.app(scope, receive, send)
            return
        host = _host_name(HTTPConnection(scope).headers.get("host", ""))
        if host in self.hosts:
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": WS_FORBIDDEN})
            return
        message = f"host {host!r} is not served here (COPILOT_ALLOWED_HOSTS)"
        await JSONResponse({"error": message}, status_code=400)(scope, receive, send)


def _host_name(header: str) -> str:
    header = header.strip().lower()
    if header.startswith("["):  # [::1]:8000
        return header.split("]", 1)[0] + "]"
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


def document_security(app: FastAPI) -> None:
    """Mark every protected operation in the spec with the bearer scheme and the roles it takes.

    The 401/403 (and other error) responses come from api/errors.py's ERROR_RESPONSES.
    """

    framework_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        spec = framework_openapi()  # cached by FastAPI as app.openapi_schema: marked in place
        components = spec.setdefault("components", {})
        components.setdefault("securitySchemes", {})[BEARER_SCHEME] = {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
        }
        for route in app_routes(app):
            if not isinstance(route.original_route, APIRoute) or not route.include_in_schema:
                continue
            rule = route_rule(route)
            if rule is None or rule.public:
                continue
            path = spec["paths"].get(route.path_format, {})
            for method in route.methods or ():
                operation = path.get(method.lower())
                if operation is None:
                    continue
                operation["security"] = [{BEARER_SCHEME: []}]
                operation.setdefault("description", "")
                operation["description"] += (
                    f"\n\nNeeds a token of: {', '.join(sorted(rule.roles))}."
                )
        app.openapi_schema = spec
        return spec

    app.openapi = openapi  # type: ignore[method-assign]


def viewer_for(principal: Principal, viewer_id: str | None) -> str:
    """The viewer a request is for: a viewer token's own, or the one an admin names."""
    if principal.viewer_id is not None:
        if viewer_id not in (None, principal.viewer_id):
            raise Forbidden("a viewer token speaks for its own viewer only; leave viewer_id out")
        return principal.viewer_id
    if not viewer_id:
        raise InvalidInput("viewer_id: Field required (an admin token names the viewer)")
    return viewer_id

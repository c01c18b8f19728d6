"""Who may call what: one rule per capability, the only vocabulary routes declare."""

from __future__ import annotations

from dataclasses import dataclass

from copilot.accounts.models import Role
from copilot.accounts.service import Principal
from copilot.errors import Forbidden

ROOM_SCOPED_ROLES = (Role.viewer, Role.host)  # their tokens name one room


@dataclass(frozen=True)
class Rule:
    """A capability: the roles that have it; viewers and hosts only in their own room."""

    name: str
    roles: frozenset[Role]
    public: bool = False  # no token needed (health, login, the pages' static shells)
    demo_only: bool = False  # exists only while `copilot demo` serves
    query_token: bool = False  # may take ?token= (event streams, media a browser element loads)
    roomless: bool = False  # viewers and hosts may call it although its path names no room

    def check(self, principal: Principal, room_id: str | None) -> None:
        """Raise Forbidden unless the principal has this capability in this room."""
        if principal.role not in self.roles:
            raise Forbidden(f"a {principal.role.value} token may not {self.name}")
        if (
            principal.role in ROOM_SCOPED_ROLES
            and room_id is not None
            and principal.room_id != room_id
        ):
            raise Forbidden(f"this {principal.role.value} token is for another room")
        if principal.role in ROOM_SCOPED_ROLES and room_id is None and not self.roomless:
            raise Forbidden(f"a {principal.role.value} token may not {self.name}")


def _rule(name: str, *roles: Role, **options: bool) -> Rule:
    return Rule(name=name, roles=frozenset(roles), **options)


STAFF = (Role.agent, Role.supervisor, Role.admin)
EVERYONE = tuple(Role)

PUBLIC = _rule("call a public route", *EVERYONE, public=True)
DEMO = _rule("use the demo viewer picker", *EVERYONE, public=True, demo_only=True)
WHOAMI = _rule("read their own identity", *EVERYONE, roomless=True)
ASK = _rule("ask questions", Role.viewer, Role.admin)
READ_ROOM = _rule("read the room's catalog", Role.viewer, Role.host, *STAFF)
WATCH_STREAM = _rule("replay the stream", Role.viewer, Role.host, *STAFF, query_token=True)
ROOM_ACTIVITY = _rule("read the room's questions", Role.host, *STAFF)
LIST_ROOMS = _rule("list rooms", Role.host, *STAFF, roomless=True)  # a host sees their own
HOST_PROMPTS = _rule("read the room's host prompts", Role.host, *STAFF)
WATCH_HOST_PROMPTS = _rule("follow the room's host prompts", Role.host, *STAFF, query_token=True)
DISMISS_HOST_PROMPTS = _rule("dismiss host prompts", Role.host, Role.supervisor, Role.admin)
STREAM_AUDIO = _rule("stream the host's audio", Role.host, Role.admin, query_token=True)
HANDLE_TICKETS = _rule("handle tickets", *STAFF)
WATCH_TICKETS = _rule("follow the ticket queue", *STAFF, query_token=True)
CHAT = _rule("use their conversation", Role.viewer)
WATCH_CHAT = _rule("follow their conversation", Role.viewer, query_token=True)
MANAGE_USERS = _rule("manage users", Role.supervisor, Role.admin)
LOAD_DATA = _rule("load catalog, orders or transcripts", Role.admin)
MINT_VIEWER_TOKENS = _rule("mint viewer tokens", Role.admin)
ERASE_VIEWERS = _rule("erase a viewer's data", Role.admin)

# Roles a supervisor may give; only an admin makes supervisors and admins.
SUPERVISOR_GRANTS = frozenset({Role.agent, Role.host})

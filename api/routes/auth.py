"""Logging in, who am I, viewer sessions for the shop's platform (and the demo), staff users."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.deps import CopilotDep
from api.errors import error_responses
from api.security import Anyone, PublicRoute, UserManager, requires
from copilot.accounts.models import Role, User
from copilot.accounts.policy import DEMO, MINT_VIEWER_TOKENS, SUPERVISOR_GRANTS
from copilot.accounts.repository import UserRepository
from copilot.accounts.service import authenticate, create_user, mint_token, token_for_user
from copilot.errors import Forbidden, NotFound, TooManyRequests, Unauthenticated
from copilot.loading import check_room_id
from copilot.ratelimit import Rate, login_key
from knowledge.repository import RoomRepository

router = APIRouter(prefix="/v1", tags=["auth"])

DEMO_ROOM = "demo"
LOGIN_RATE = Rate(per_second=10 / 60, burst=10)  # guessing passwords takes years at this pace
ViewerId = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.@:\-]+$")


class Login(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class TokenOut(BaseModel):
    token: str
    role: Role
    expires_at: datetime
    room: str | None = None
    viewer_id: str | None = None


class Me(BaseModel):
    role: Role
    subject: str
    room: str | None = None
    viewer_id: str | None = None
    expires_at: datetime | None = None


class ViewerTokenIn(BaseModel):
    room: str = Field(min_length=1, max_length=64)
    viewer_id: str = ViewerId
    ttl_s: float | None = Field(default=None, gt=0, le=366 * 24 * 3600)


class DemoViewerIn(BaseModel):
    viewer_id: str = ViewerId


class UserIn(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    role: Role
    password: str = Field(min_length=8, max_length=1024)
    room: str | None = Field(default=None, max_length=64)


class UserOut(BaseModel):
    username: str
    role: Role
    room: str | None
    disabled: bool
    created_at: datetime


def _user_out(user: User) -> UserOut:
    return UserOut(
        username=user.username,
        role=Role(user.role),
        room=user.room_id,
        disabled=user.disabled,
        # SQLite hands back CURRENT_TIMESTAMP without its zone; it is UTC.
        created_at=user.created_at
        if user.created_at.tzinfo
        else user.created_at.replace(tzinfo=UTC),
    )


@router.post("/auth/login", dependencies=[PublicRoute])
def login(credentials: Login, copilot: CopilotDep) -> TokenOut:
    """A staff member's token for their username and password."""
    attempt = copilot.rate_limiter.hit(login_key(credentials.username), LOGIN_RATE)
    if not attempt.allowed:
        raise TooManyRequests("too many logins for this user", retry_after_s=attempt.retry_after_s)
    with copilot.db.session_scope() as session:
        user = authenticate(session, username=credentials.username, password=credentials.password)
        if user is None:
            raise Unauthenticated("wrong username or password")
        token, expires = token_for_user(copilot.settings, user)
        return TokenOut(token=token, role=Role(user.role), expires_at=expires, room=user.room_id)


@router.get("/auth/me")
def whoami(principal: Anyone) -> Me:
    """What the caller's token says about them."""
    return Me(
        role=principal.role,
        subject=principal.subject,
        room=principal.room_id,
        viewer_id=principal.viewer_id,
        expires_at=principal.expires_at,
    )


@router.post("/viewer-tokens", dependencies=[requires(MINT_VIEWER_TOKENS)])
def viewer_token(request: ViewerTokenIn, copilot: CopilotDep) -> TokenOut:
    """A viewer session for one room, minted by the shop's platform for its logged-in user."""
    room = check_room_id(request.room)
    with copilot.db.read_scope() as session:
        if RoomRepository(session).get(room) is None:
            raise NotFound(f"unknown room {room!r}")
    return _viewer_session(copilot, room, request.viewer_id, request.ttl_s)


@router.post("/demo/viewer-session", dependencies=[requires(DEMO)])
def demo_viewer_session(request: DemoViewerIn, copilot: CopilotDep) -> TokenOut:
    """Demo only: any viewer id becomes a session in the demo room (the page's viewer picker)."""
    return _viewer_session(copilot, DEMO_ROOM, request.viewer_id, None)


def _viewer_session(
    copilot: CopilotDep, room: str, viewer_id: str, ttl_s: float | None
) -> TokenOut:
    token, expires = mint_token(
        copilot.settings,
        role=Role.viewer,
        subject=viewer_id,
        room_id=room,
        viewer_id=viewer_id,
        ttl_s=ttl_s,
    )
    return TokenOut(
        token=token, role=Role.viewer, expires_at=expires, room=room, viewer_id=viewer_id
    )


@router.get("/users")
def list_users(copilot: CopilotDep, _: UserManager) -> list[UserOut]:
    """Every staff account (never a password hash)."""
    with copilot.db.read_scope() as session:
        return [_user_out(u) for u in UserRepository(session).list()]


@router.post("/users", status_code=201, responses=error_responses(409))
def add_user(new: UserIn, copilot: CopilotDep, principal: UserManager) -> UserOut:
    """Add a staff account; a supervisor may add agents and hosts only."""
    if principal.role == Role.supervisor and new.role not in SUPERVISOR_GRANTS:
        raise Forbidden("a supervisor may add agents and hosts only")
    with copilot.db.session_scope() as session:
        user = create_user(
            session,
            username=new.username,
            role=new.role,
            password=new.password,
            room_id=check_room_id(new.room) if new.room else None,
        )
        return _user_out(user)

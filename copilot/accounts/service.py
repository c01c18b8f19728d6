"""Passwords (argon2 via pwdlib), users, and signed expiring tokens (PyJWT, HS256)."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
from pwdlib import PasswordHash
from sqlalchemy.orm import Session

from copilot.accounts.models import STAFF_ROLES, Role, User
from copilot.accounts.repository import UserRepository
from copilot.config import Settings
from copilot.errors import Conflict, InvalidInput

ALGORITHM = "HS256"
MIN_PASSWORD_CHARS = 8
MAX_TTL_S = 366 * 24 * 3600
SECRET_FILE = "secret_key"
ISSUER = "livecommerce-copilot"

_hasher = PasswordHash.recommended()
# Verified against when the user does not exist, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


@dataclass(frozen=True)
class Principal:
    """Who a token says is calling: a role, a subject and, for viewers and hosts, a room."""

    role: Role
    subject: str
    room_id: str | None = None
    viewer_id: str | None = None
    expires_at: datetime | None = None
    is_user: bool = False  # a staff account, checked against the users table on every request


class InvalidToken(Exception):
    """A token that is malformed, forged, expired or for an account that is gone."""


def signing_key(settings: Settings) -> str:
    """COPILOT_SECRET_KEY, or a key generated once into COPILOT_HOME and kept there."""
    if settings.secret_key:
        return settings.secret_key
    path = settings.home / SECRET_FILE
    if not path.exists():
        settings.home.mkdir(parents=True, exist_ok=True)
        _create_secret(path)
    return path.read_text("utf-8").strip()


def _create_secret(path: Path) -> None:
    try:  # O_EXCL: two processes starting at once agree on whichever key was written first
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(secrets.token_urlsafe(48))


def hash_password(password: str) -> str:
    """An argon2 hash of the password."""
    if len(password) < MIN_PASSWORD_CHARS:
        raise InvalidInput(f"passwords have at least {MIN_PASSWORD_CHARS} characters")
    return _hasher.hash(password)


def create_user(
    session: Session, *, username: str, role: Role, password: str, room_id: str | None = None
) -> User:
    """Add a staff account; hosts need a room."""
    role = Role(role)
    if role not in STAFF_ROLES:
        raise InvalidInput(f"staff roles are {', '.join(STAFF_ROLES)}; viewers are not users")
    if role == Role.host and not room_id:
        raise InvalidInput("a host account needs --room")
    if not username or len(username) > 64 or not username.isprintable() or " " in username:
        raise InvalidInput("user names are 1-64 printable characters without spaces")
    users = UserRepository(session)
    if users.get(username) is not None:
        raise Conflict(f"user {username!r} exists")
    user = User(
        username=username,
        role=role.value,
        room_id=room_id if role == Role.host else None,
        password_hash=hash_password(password),
    )
    return users.add(user)


def set_password(session: Session, *, username: str, password: str) -> User:
    """Replace a user's password."""
    user = UserRepository(session).get(username)
    if user is None:
        raise InvalidInput(f"no user {username!r}")
    user.password_hash = hash_password(password)
    return user


def authenticate(session: Session, *, username: str, password: str) -> User | None:
    """The enabled user with this name and password, or None."""
    user = UserRepository(session).get(username)
    if user is None or user.disabled:
        _hasher.verify(password, _DUMMY_HASH)
        return None
    valid, new_hash = _hasher.verify_and_update(password, user.password_hash)
    if not valid:
        return None
    if new_hash is not None:  # parameters were raised since it was hashed
        user.password_hash = new_hash
    return user


def _ttl(settings: Settings, ttl_s: float | None) -> timedelta:
    seconds = settings.token_ttl_s if ttl_s is None else ttl_s
    if not 0 < seconds <= MAX_TTL_S:
        raise InvalidInput(f"token lifetimes are 1 s to {MAX_TTL_S} s")
    return timedelta(seconds=seconds)


def mint_token(
    settings: Settings,
    *,
    role: Role | str,
    subject: str,
    room_id: str | None = None,
    viewer_id: str | None = None,
    ttl_s: float | None = None,
    is_user: bool = False,
) -> tuple[str, datetime]:
    """A signed token and when it expires; viewer tokens fix a room and a viewer."""
    role = Role(role)
    if role == Role.viewer and not (room_id and viewer_id):
        raise InvalidInput("a viewer token needs a room and a viewer id")
    if role == Role.host and not room_id:
        raise InvalidInput("a host token needs a room")
    now = datetime.now(UTC)
    expires = now + _ttl(settings, ttl_s)
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "sub": subject,
        "role": role.value,
        "iat": now,
        "exp": expires,
        "user": is_user,
    }
    if room_id:
        claims["room"] = room_id
    if viewer_id:
        claims["viewer"] = viewer_id
    return jwt.encode(claims, signing_key(settings), algorithm=ALGORITHM), expires


def token_for_user(
    settings: Settings, user: User, ttl_s: float | None = None
) -> tuple[str, datetime]:
    """A staff member's token, carrying their role (and a host's room)."""
    return mint_token(
        settings,
        role=user.role,
        subject=user.username,
        room_id=user.room_id,
        ttl_s=ttl_s,
        is_user=True,
    )


def decode_token(settings: Settings, token: str) -> Principal:
    """The principal a token names; InvalidToken if it is not one this service signed and alive."""
    try:
        claims = jwt.decode(
            token,
            signing_key(settings),
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            options={"require": ["exp", "iat", "sub", "iss"]},
        )
        role = Role(claims["role"])
    except (jwt.PyJWTError, KeyError, ValueError) as exc:
        raise InvalidToken(str(exc)) from exc
    return Principal(
        role=role,
        subject=str(claims["sub"]),
        room_id=claims.get("room"),
        viewer_id=claims.get("viewer"),
        expires_at=datetime.fromtimestamp(claims["exp"], UTC),
        is_user=bool(claims.get("user")),
    )


def check_user(session: Session, principal: Principal) -> None:
    """A staff token is only good while its account exists, is enabled and keeps its role."""
    if not principal.is_user:
        return
    user = UserRepository(session).get(principal.subject)
    if (
        user is None
        or user.disabled
        or user.role != principal.role
        or user.room_id != principal.room_id
    ):
        raise InvalidToken("the account behind this token is gone or has changed")


@dataclass(frozen=True)
class DemoAccount:
    """A demo login, printed by `copilot demo`."""

    username: str
    role: Role
    password: str


DEMO_USERS = (("agent", Role.agent), ("lead", Role.supervisor), ("host", Role.host))


def demo_accounts(session: Session, *, room_id: str) -> list[DemoAccount]:
    """The demo's staff logins, created or given fresh random passwords."""
    accounts = []
    users = UserRepository(session)
    for username, role in DEMO_USERS:
        password = secrets.token_urlsafe(9)
        if users.get(username) is None:
            create_user(session, username=username, role=role, password=password, room_id=room_id)
        else:
            set_password(session, username=username, password=password)
        accounts.append(DemoAccount(username, role, password))
    return accounts

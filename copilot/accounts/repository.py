"""Every query on users."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from copilot.accounts.models import User


class UserRepository:
    """Staff accounts by name."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, username: str) -> User | None:
        """One user by name, or None."""
        return self.session.scalars(select(User).where(User.username == username)).first()

    def list(self) -> Sequence[User]:
        """Every user, by name."""
        return self.session.scalars(select(User).order_by(User.username)).all()

    def add(self, user: User) -> User:
        """Store a new user."""
        self.session.add(user)
        self.session.flush()
        return user

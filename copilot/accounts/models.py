"""The users table: staff accounts (viewers are not users; their identity is the shop's)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, DateTime, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from knowledge.models import Base


class Role(StrEnum):
    """The five roles of DESIGN.md."""

    viewer = "viewer"
    host = "host"
    agent = "agent"
    supervisor = "supervisor"
    admin = "admin"


STAFF_ROLES = (Role.host, Role.agent, Role.supervisor, Role.admin)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    # A host works one room; other roles are shop-wide.
    room_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

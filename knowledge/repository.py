"""Every query on rooms, products, policies and orders."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from knowledge.models import FaqEntry, Order, Product, Room


class RoomRepository:
    """Rooms and their catalog version."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, room_id: str) -> Room | None:
        """The room, or None."""
        return self.session.get(Room, room_id)

    def kb_version(self, room_id: str) -> int | None:
        """The catalog version as committed now (a query, not the session's cached row)."""
        return self.session.scalar(select(Room.kb_version).where(Room.id == room_id))

    def get_or_create(self, room_id: str, *, lock: bool = False) -> Room:
        """The room, created empty when new; with `lock`, its row locked until the commit.

        Loads lock it so that two loads of one room on PostgreSQL take turns rather than both
        bump kb_version from the same value (SQLite's write transactions already take turns).
        FOR NO KEY UPDATE: askers inserting rows that reference the room are not held up.
        """
        room = (
            self.session.get(
                Room, room_id, with_for_update={"key_share": True}, populate_existing=True
            )
            if lock
            else self.get(room_id)
        )
        if room is None:
            room = Room(id=room_id, title=room_id, kb_version=0)
            self.session.add(room)
            self.session.flush()
        return room

    def list(self) -> Sequence[Room]:
        """All rooms by id."""
        return self.session.scalars(select(Room).order_by(Room.id)).all()

    def delete(self, room_id: str) -> None:
        """Delete a room; its products, policies, conversations and tickets go with it."""
        self.session.execute(delete(Room).where(Room.id == room_id))


class CatalogRepository:
    """Products and FAQ/policy entries of one room."""

    def __init__(self, session: Session, room_id: str) -> None:
        self.session = session
        self.room_id = room_id

    def products(self) -> Sequence[Product]:
        """All products of the room, by sku."""
        stmt = select(Product).where(Product.room_id == self.room_id).order_by(Product.sku)
        return self.session.scalars(stmt).all()

    def product(self, sku: str) -> Product | None:
        """One product read fresh from the database."""
        product = self.session.get(Product, (self.room_id, sku))
        if product is not None:
            self.session.refresh(product)
        return product

    def policies(self) -> Sequence[FaqEntry]:
        """All FAQ/policy entries of the room, by id."""
        stmt = select(FaqEntry).where(FaqEntry.room_id == self.room_id).order_by(FaqEntry.id)
        return self.session.scalars(stmt).all()


class OrderRepository:
    """Orders, always scoped to one viewer: no query here can return another viewer's order."""

    def __init__(self, session: Session, viewer_id: str) -> None:
        self.session = session
        self.viewer_id = viewer_id

    def recent(self, limit: int = 20) -> Sequence[Order]:
        """The viewer's orders, most recently updated first."""
        stmt = (
            select(Order)
            .where(Order.viewer_id == self.viewer_id)
            .order_by(Order.updated_at.desc(), Order.order_id)
            .limit(limit)
        )
        return self.session.scalars(stmt).all()

    def by_ids(self, order_ids: Sequence[str]) -> Sequence[Order]:
        """The viewer's orders among `order_ids` (others' ids match nothing)."""
        if not order_ids:
            return []
        stmt = select(Order).where(
            Order.viewer_id == self.viewer_id, Order.order_id.in_(list(order_ids))
        )
        return self.session.scalars(stmt).all()


def orders_to_upsert(session: Session, order_ids: Sequence[str]) -> Sequence[Order]:
    """For loaders only: the stored orders among `order_ids`, whoever's they are."""
    found: list[Order] = []
    unique = sorted(set(order_ids))
    for start in range(0, len(unique), 500):  # bounded IN lists
        stmt = select(Order).where(Order.order_id.in_(unique[start : start + 500]))
        found.extend(session.scalars(stmt).all())
    return found

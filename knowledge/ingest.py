"""Load catalog, policy and order files: validate every line, then upsert in one transaction."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pydantic import BaseModel
from sqlalchemy.orm import Session

from knowledge.jsonl import parse_lines
from knowledge.models import FaqEntry, Order, Product
from knowledge.records import OrderRecord, PolicyRecord, ProductRecord
from knowledge.repository import CatalogRepository, RoomRepository, orders_to_upsert


@dataclass(frozen=True)
class LoadReport:
    """What a load stored."""

    products: int = 0
    policies: int = 0
    orders: int = 0


def _kb_record(obj: dict[str, object]) -> BaseModel:
    # Products and shop-wide entries share one file; the key tells them apart.
    if "sku" in obj:
        return ProductRecord.model_validate(obj)
    return PolicyRecord.model_validate(obj)


def load_kb(session: Session, *, room_id: str, lines: Iterable[str]) -> LoadReport:
    """Upsert products and FAQ/policy entries into a room (created if new)."""
    records = parse_lines(lines, _kb_record)  # every line checked before the first write
    room = RoomRepository(session).get_or_create(room_id, lock=True)
    # Every row the merges below may update, read in two queries and held (the session only
    # keeps weak references): merge then finds each in the session instead of querying a row
    # at a time, round trips that cost seconds a load on a busy server.
    catalog = CatalogRepository(session, room_id)
    stored = [*catalog.products(), *catalog.policies()]
    products = policies = 0
    for record in records:
        if isinstance(record, ProductRecord):
            session.merge(
                Product(
                    room_id=room_id,
                    sku=record.sku,
                    name=record.name,
                    price=record.price,
                    live_price=record.live_price,
                    stock=record.stock,
                    description=record.description,
                    attributes=record.attributes,
                    faq=[item.model_dump() for item in record.faq],
                )
            )
            products += 1
        elif isinstance(record, PolicyRecord):
            session.merge(FaqEntry(room_id=room_id, id=record.id, q=record.q, a=record.a))
            policies += 1
    room.kb_version += 1
    session.flush()
    stored.clear()
    return LoadReport(products=products, policies=policies)


def load_orders(session: Session, *, lines: Iterable[str]) -> LoadReport:
    """Upsert order records by order_id."""
    records = parse_lines(lines, OrderRecord.model_validate)
    stored = list(orders_to_upsert(session, [record.order_id for record in records]))  # as load_kb
    for record in records:
        session.merge(
            Order(
                order_id=record.order_id,
                viewer_id=record.viewer_id,
                items=[item.model_dump() for item in record.items],
                status=record.status,
                carrier=record.carrier,
                tracking_no=record.tracking_no,
                created_at=record.created_at,
                updated_at=record.updated_at,
            )
        )
    session.flush()
    stored.clear()
    return LoadReport(orders=len(records))

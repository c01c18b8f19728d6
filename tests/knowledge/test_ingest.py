"""Loading files: line-numbered validation, one transaction, idempotent upserts (both databases)."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import func, select

from copilot.errors import InvalidInput
from copilot.loading import load_kb_lines, load_order_lines, load_transcript_lines
from copilot.runtime import Copilot
from knowledge.models import FaqEntry, Order, Product
from knowledge.repository import CatalogRepository, OrderRepository, RoomRepository
from transcripts.store import TranscriptRepository

PRODUCT = {
    "sku": "A-1",
    "name": "桂花乌龙茶",
    "price": 88,
    "live_price": 66,
    "stock": 5,
    "description": "清香型乌龙",
    "attributes": {"产地": "福建"},
}
POLICY = {"id": "policy-returns", "q": "能退货吗", "a": "7天无理由退货"}


def _room() -> str:
    return f"r-{uuid.uuid4().hex[:8]}"


def _lines(*objs: object) -> list[str]:
    return [json.dumps(o, ensure_ascii=False) for o in objs]


def test_kb_load_stores_products_and_policies(any_copilot: Copilot) -> None:
    room = _room()
    with any_copilot.db.session_scope() as session:
        report = load_kb_lines(session, room, _lines(PRODUCT, POLICY))
    assert (report.products, report.policies) == (1, 1)
    with any_copilot.db.session_scope() as session:
        catalog = CatalogRepository(session, room)
        product = catalog.product("A-1")
        assert product is not None and product.live_price == 66
        assert product.attributes == {"产地": "福建"}
        assert [p.id for p in catalog.policies()] == ["policy-returns"]


def test_loading_twice_changes_nothing(any_copilot: Copilot) -> None:
    room = _room()
    for _ in range(2):
        with any_copilot.db.session_scope() as session:
            load_kb_lines(session, room, _lines(PRODUCT, POLICY))
    with any_copilot.db.session_scope() as session:
        products = session.scalar(select(func.count()).where(Product.room_id == room))
        policies = session.scalar(select(func.count()).where(FaqEntry.room_id == room))
    assert (products, policies) == (1, 1)


def test_malformed_line_is_reported_and_nothing_is_loaded(any_copilot: Copilot) -> None:
    room = _room()
    bad = dict(PRODUCT, sku="A-2", price="not a number")
    with pytest.raises(InvalidInput) as error, any_copilot.db.session_scope() as session:
        load_kb_lines(session, room, _lines(PRODUCT, POLICY, bad))
    assert error.value.details == {"line": 3, "field": "price"}
    assert "line 3" in error.value.message
    with any_copilot.db.session_scope() as session:
        assert RoomRepository(session).get(room) is None
        assert session.scalar(select(func.count()).where(Product.room_id == room)) == 0


def test_invalid_json_line_is_reported(any_copilot: Copilot) -> None:
    lines = [*_lines(PRODUCT), '{"sku": "B-1", "name": ']
    with pytest.raises(InvalidInput) as error, any_copilot.db.session_scope() as session:
        load_kb_lines(session, _room(), lines)
    assert error.value.details["line"] == 2
    assert "invalid JSON" in error.value.message


def test_orders_upsert_by_order_id(any_copilot: Copilot) -> None:
    viewer = f"v-{uuid.uuid4().hex[:6]}"
    order = {
        "order_id": f"X{uuid.uuid4().hex[:10]}",
        "viewer_id": viewer,
        "items": [{"sku": "A-1", "qty": 1}],
        "status": "paid",
        "created_at": "2026-11-01T10:00:00+08:00",
        "updated_at": "2026-11-01T10:00:00+08:00",
    }
    shipped = dict(
        order,
        status="shipped",
        carrier="顺丰速运",
        tracking_no="SF123",
        updated_at="2026-11-02T10:00:00+08:00",
    )
    for lines in (_lines(order), _lines(shipped), _lines(shipped)):
        with any_copilot.db.session_scope() as session:
            load_order_lines(session, lines)
    with any_copilot.db.session_scope() as session:
        mine = OrderRepository(session, viewer).recent()
        assert [(o.status, o.tracking_no) for o in mine] == [("shipped", "SF123")]
        count = session.scalar(select(func.count()).where(Order.order_id == order["order_id"]))
        assert count == 1


def test_order_missing_field_names_it(any_copilot: Copilot) -> None:
    broken = {
        "order_id": "Z1",
        "items": [{"sku": "A", "qty": 1}],
        "status": "paid",
        "created_at": "2026-11-01T10:00:00",
        "updated_at": "2026-11-01T10:00:00",
    }
    with pytest.raises(InvalidInput) as error, any_copilot.db.session_scope() as session:
        load_order_lines(session, _lines(broken))
    assert error.value.details == {"line": 1, "field": "viewer_id"}


def test_transcript_load_is_idempotent_and_validates(any_copilot: Copilot) -> None:
    room = _room()
    segments = _lines(
        {"start": 0, "end": 5, "text": "欢迎"}, {"start": 5, "end": 9, "text": "上新"}
    )
    for _ in range(2):
        with any_copilot.db.session_scope() as session:
            load_transcript_lines(session, room, segments)
    with any_copilot.db.session_scope() as session:
        assert [s.text for s in TranscriptRepository(session, room).all()] == ["欢迎", "上新"]
    with pytest.raises(InvalidInput) as error, any_copilot.db.session_scope() as session:
        load_transcript_lines(session, room, _lines({"start": 9, "end": 3, "text": "x"}))
    assert error.value.details["line"] == 1


def test_kb_version_is_read_fresh_while_a_session_holds_the_room(
    postgres_copilot: Copilot,
) -> None:
    room = _room()
    with postgres_copilot.db.session_scope() as session:
        load_kb_lines(session, room, _lines(PRODUCT))
    with postgres_copilot.db.session_scope() as answering:
        rooms = RoomRepository(answering)
        held = rooms.get(room)
        assert held is not None
        before = held.kb_version
        with postgres_copilot.db.session_scope() as other:  # a catalog change meanwhile
            load_kb_lines(other, room, _lines(dict(PRODUCT, live_price=55)))
        assert rooms.get(room).kb_version == before  # type: ignore[union-attr]
        assert rooms.kb_version(room) == before + 1

"""The copilot's retrieval as a LangChain retriever: the evidence a chain gets for a question,
and only the named viewer's own orders."""

from __future__ import annotations

import pytest

from copilot.errors import NotFound
from copilot.room_retriever import RoomRetriever
from copilot.runtime import Copilot


def test_a_chain_gets_the_product_meant_and_its_sources(
    sqlite_copilot: Copilot, mini_room: str
) -> None:
    retriever = RoomRetriever(copilot=sqlite_copilot, room_id=mini_room, at=30)
    documents = retriever.invoke("龙井多少钱")
    assert documents[0].metadata == {"kind": "product", "id": "MT-01"}
    assert "128" in documents[0].page_content
    assert {d.metadata["kind"] for d in documents} <= {"product", "transcript", "faq"}
    gift = retriever.invoke("刚才说的赠品怎么领")
    assert any(d.metadata["kind"] == "transcript" and "start" in d.metadata for d in gift)


def test_orders_only_of_the_viewer_named(sqlite_copilot: Copilot, mini_room: str) -> None:
    alice = RoomRetriever(copilot=sqlite_copilot, room_id=mini_room, viewer_id="alice", at=90)
    orders = [d for d in alice.invoke("我的快递到哪了") if d.metadata["kind"] == "order"]
    assert {d.metadata["id"] for d in orders} == {"DD20261101001", "DD20261101002"}
    asks_for_bob = alice.invoke("DD20261101003 bob 的快递到哪了")
    assert not any("DD20261101003" in d.page_content for d in asks_for_bob)
    public = RoomRetriever(copilot=sqlite_copilot, room_id=mini_room, at=90)
    assert not [d for d in public.invoke("我的快递到哪了") if d.metadata["kind"] == "order"]


def test_an_unknown_room_is_a_clear_error(sqlite_copilot: Copilot) -> None:
    with pytest.raises(NotFound, match="unknown room"):
        RoomRetriever(copilot=sqlite_copilot, room_id="no-such-room").invoke("多少钱")

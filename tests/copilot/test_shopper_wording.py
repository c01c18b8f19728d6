"""What real shoppers' wording needs: the order meant, completed answers, asking which one."""

from __future__ import annotations

import json
import uuid

from copilot.loading import load_kb_lines
from copilot.pipeline import ask
from copilot.runtime import Copilot
from tests.conftest import new_room

OOLONGS = [
    {"sku": "OL-01", "name": "桂花乌龙茶", "price": 88, "stock": 10, "description": "桂花窨制。"},
    {"sku": "OL-02", "name": "高山乌龙茶", "price": 128, "stock": 10, "description": "台湾高山。"},
]


def test_an_order_question_about_one_product_shows_that_order_and_when_it_ships(
    sqlite_copilot: Copilot, mini_room: str
) -> None:
    result = ask(
        sqlite_copilot, room_id=mini_room, viewer_id="alice", text="我买的芝麻酥糖发货了吗", at=90
    )
    assert result.action == "answer"
    assert "DD20261101002" in result.answer  # the order with the sesame candy ...
    assert "DD20261101001" not in result.answer  # ... not every order alice has
    assert "48小时内发货" in result.answer  # paid, not shipped: the dispatch policy says when
    assert {c.id for c in result.citations} >= {"DD20261101002", "policy-shipping"}


def test_a_shipped_order_is_not_padded_with_the_policy(
    sqlite_copilot: Copilot, mini_room: str
) -> None:
    result = ask(sqlite_copilot, room_id=mini_room, viewer_id="bob", text="我的快递到哪了", at=90)
    assert result.action == "answer" and "ZT7700000000003" in result.answer
    assert "48小时" not in result.answer


def test_a_chinese_policy_is_framed_in_the_viewers_english(
    sqlite_copilot: Copilot, mini_room: str
) -> None:
    result = ask(
        sqlite_copilot,
        room_id=mini_room,
        viewer_id="bob",
        text="can I return it within 7 days?",
        at=90,
    )
    assert result.action == "answer" and "7天无理由退货" in result.answer
    assert result.answer.startswith("From the shop's policy:")


def test_a_name_two_products_share_is_asked_about_not_guessed(sqlite_copilot: Copilot) -> None:
    room = new_room(sqlite_copilot)
    lines = [json.dumps(p, ensure_ascii=False) for p in OOLONGS]
    with sqlite_copilot.db.session_scope() as session:
        load_kb_lines(session, room, lines)
    result = ask(sqlite_copilot, room_id=room, viewer_id="carol", text="乌龙茶多少钱", at=5)
    assert result.action == "escalate" and result.reason.startswith("product unclear")
    assert "桂花乌龙茶" in result.answer and "高山乌龙茶" in result.answer
    assert "¥88" not in result.answer and "¥128" not in result.answer
    named = ask(sqlite_copilot, room_id=room, viewer_id="carol", text="桂花乌龙茶多少钱", at=6)
    assert named.action == "answer" and "¥88" in named.answer


def test_haggling_and_order_changes_go_to_a_person(sqlite_copilot: Copilot, mini_room: str) -> None:
    for viewer, text, intent in (
        ("bob", "两罐能便宜点吗 少点呗", "bargain"),
        ("alice", "地址填错了 能帮我改一下收货地址吗", "order_change"),
        ("carol", "can u do 100 for both", "bargain"),
    ):
        result = ask(sqlite_copilot, room_id=mini_room, viewer_id=viewer, text=text, at=90)
        assert result.action == "escalate", text
        assert result.intent == intent, text


def test_asking_for_a_recommendation_goes_to_a_person(
    sqlite_copilot: Copilot, mini_room: str
) -> None:
    for viewer, text in (
        ("dave", "送长辈的话 选哪款比较好"),
        ("erin", "which one would you recommend"),
    ):
        result = ask(sqlite_copilot, room_id=mini_room, viewer_id=viewer, text=text, at=90)
        assert result.action == "escalate" and result.intent == "recommendation", text


SNEAKERS = {
    "sku": "SN-01",
    "name": "TrailRunner Shoes",
    "price": 129,
    "live_price": 99,
    "stock": 40,
    "description": "Trail shoes.",
    "attributes": {"Sizes": "US 6-12", "Colours": "black, blue, crimson"},
}
DOLLAR_POLICY = {"id": "ship", "q": "Shipping?", "a": "Free shipping on orders over $50."}


def test_a_shop_writing_dollars_is_quoted_in_dollars_and_sizes_answer_size_questions(
    sqlite_copilot: Copilot,
) -> None:
    room = f"usd-{uuid.uuid4().hex[:8]}"  # a shop of its own: no Chinese policies
    with sqlite_copilot.db.session_scope() as session:
        load_kb_lines(session, room, [json.dumps(SNEAKERS), json.dumps(DOLLAR_POLICY)])
    price = ask(
        sqlite_copilot, room_id=room, viewer_id="v1", text="how much are the TrailRunner shoes"
    )
    assert price.action == "answer" and "$99" in price.answer and "¥" not in price.answer
    for text, fact in (
        ("do the TrailRunner shoes come in size 9?", "US 6-12"),  # "size" names "Sizes"
        ("TrailRunner Shoes in crimson?", "crimson"),  # a value names its attribute
    ):
        result = ask(sqlite_copilot, room_id=room, viewer_id="v1", text=text)
        assert result.action == "answer" and fact in result.answer, (text, result)
    # A value picks the option the price is asked of: the price, and the options it names.
    option = ask(
        sqlite_copilot,
        room_id=room,
        viewer_id="v1",
        text="how much are the TrailRunner shoes in crimson?",
    )
    assert option.action == "answer" and "$99" in option.answer
    assert "black, blue, crimson" in option.answer, option


def test_prices_far_from_the_product_on_stage_are_not_answered_with_its_price(
    sqlite_copilot: Copilot, mini_room: str
) -> None:
    # The 龙井 (¥128, regular ¥168) is on stage; the viewer quotes a phone's prices.
    result = ask(
        sqlite_copilot,
        room_id=mini_room,
        viewer_id="carol",
        text="25号1599元下的单，现在1399元，这个多少钱",
        at=30,
    )
    assert "¥128" not in result.answer and "168" not in result.answer
    in_scale = ask(
        sqlite_copilot, room_id=mini_room, viewer_id="dave", text="这个还是168元吗", at=30
    )
    assert in_scale.action == "answer" and "¥128" in in_scale.answer

"""How ranked intents become a reading: ignore, escalate, or answerable attempts in order."""

from __future__ import annotations

from copilot.pipeline import plan
from copilot.understand import Understanding


def _understanding(*ranked: tuple[str, float]) -> Understanding:
    return Understanding(
        language="zh",
        intent=ranked[0][0],
        ranked=list(ranked),
        order_ids=[],
    )


def test_sure_reaction_is_ignored() -> None:
    assert plan(_understanding(("chitchat", 0.9), ("price_stock", 0.05))).ignore


def test_reaction_with_a_likely_question_is_tried() -> None:
    reading = plan(_understanding(("chitchat", 0.4), ("price_stock", 0.35)))
    assert not reading.ignore and reading.attempts[0] == "price_stock"


def test_sure_escalation_hands_over() -> None:
    assert plan(_understanding(("after_sales", 0.7), ("order_status", 0.2))).escalate


def test_unclear_message_goes_to_a_person() -> None:
    reading = plan(_understanding(("promotion", 0.1), ("policy", 0.09), ("chitchat", 0.08)))
    assert reading.escalate.startswith("unclear")


def test_answerable_readings_in_rank_order_with_details_after_price() -> None:
    reading = plan(_understanding(("promotion", 0.5), ("price_stock", 0.3), ("human", 0.1)))
    assert reading.attempts == ["promotion", "price_stock", "product_info"]


def test_weak_escalation_lets_answerable_readings_try_first() -> None:
    reading = plan(_understanding(("payment_issue", 0.35), ("order_status", 0.3)))
    assert reading.attempts == ["order_status"] and not reading.escalate


def test_faint_fallback_readings_are_not_tried() -> None:
    reading = plan(_understanding(("product_info", 0.6), ("price_stock", 0.2)))
    assert reading.attempts == ["product_info"]


def test_an_answerable_top_reading_is_tried_though_an_escalating_one_is_close() -> None:
    # The sources decide: the answer needs a source that clearly answers, else it escalates.
    reading = plan(_understanding(("price_stock", 0.3), ("complaint", 0.25), ("bargain", 0.2)))
    assert reading.attempts[0] == "price_stock" and not reading.escalate

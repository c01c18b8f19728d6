"""The grounding guard."""

from __future__ import annotations

from copilot.guards import check_draft
from copilot.guards.grounding import numbers_in
from copilot.schemas import Draft, Evidence

SOURCE = Evidence(kind="product", id="A-1", text="桂花乌龙茶 price 88.0 live_price 66.0 stock 5")


def test_numbers_are_canonical() -> None:
    assert numbers_in("¥66 和 88.0 还有 0.50") == {"66", "88", "0.5"}


def test_sourced_numbers_pass() -> None:
    draft = Draft(text="桂花乌龙茶 直播价 ¥66（原价 ¥88），库存 5 件。", evidence=[SOURCE])
    assert check_draft(draft, kb_version_used=3, kb_version_now=3).ok


def test_invented_number_fails() -> None:
    draft = Draft(text="桂花乌龙茶 直播价 ¥59。", evidence=[SOURCE])
    verdict = check_draft(draft, kb_version_used=3, kb_version_now=3)
    assert not verdict.ok and "59" in verdict.reason


def test_stale_catalog_fails() -> None:
    draft = Draft(text="桂花乌龙茶 直播价 ¥66。", evidence=[SOURCE])
    assert not check_draft(draft, kb_version_used=3, kb_version_now=4).ok


def test_uncited_answer_fails() -> None:
    assert not check_draft(Draft(text="好的", evidence=[]), kb_version_used=1, kb_version_now=1).ok


def test_decimal_numbers_survive_sentence_splitting() -> None:
    from copilot.answer.composer import _SENTENCE_END

    assert _SENTENCE_END.split("净重6.8kg，很轻。一只手就能收. Fits in a car boot.") == [
        "净重6.8kg，很轻。",
        "一只手就能收.",
        "Fits in a car boot.",
    ]

"""What the viewer is told on a hand-over: that a person follows up, and what they will need."""

from __future__ import annotations

from functools import lru_cache

from prompts import load_table

BY_INTENT = (
    "after_sales",
    "payment_issue",
    "complaint",
    "health_safety",
    "human",
    "customization",
    "order_change",
    "bargain",
    "recommendation",
)


@lru_cache(maxsize=1)
def _sentences() -> dict[str, dict[str, str]]:
    return load_table("handoff")


def need_for(intent: str, reason: str) -> str:
    """The template key for an escalation: by intent, else by why the copilot could not answer."""
    if intent in BY_INTENT:
        return intent
    if reason.startswith("order ids not in"):
        return "order_not_found"
    if reason.startswith("asks about other viewers"):
        return "other_viewer"
    if reason.startswith("product unclear"):
        return "which_product"
    return "unanswered"


def handoff_message(
    key: str, language: str, order_id: str | None = None, products: list[str] | None = None
) -> str:
    """The sentence for `key` in the viewer's language, naming their order when one is known."""
    sentences = _sentences()
    language = language if language in ("zh", "en") else "zh"
    hint = sentences["order_hint"][language].format(order_id=order_id) if order_id else ""
    either = ("、" if language == "zh" else " or ").join(f"“{p}”" for p in products or [])
    return sentences[key][language].replace("{order}", hint).replace("{products}", either)

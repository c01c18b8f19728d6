"""Language, order ids and the ranked intents: what the pipeline knows before retrieval."""

from __future__ import annotations

import re

from pydantic import BaseModel

from copilot.understand.classifier import IntentClassifier
from knowledge.lexical import cjk_ratio

ZH_MIN_CJK_SHARE = 0.2  # "这个price多少" is a Chinese sentence with an English word

ANSWERABLE_INTENTS = frozenset(
    {"product_info", "price_stock", "promotion", "policy", "order_status", "host_said"}
)
# Intents a person handles whatever the sources say.
ESCALATING_INTENTS = frozenset(
    {
        "after_sales",
        "payment_issue",
        "human",
        "complaint",
        "health_safety",
        "customization",
        "order_change",  # an address, a size or a cancellation: a person changes the order
        "bargain",  # a price beyond the published ones is never the copilot's to give
        "recommendation",  # "which one suits me" is a judgement the sources do not make
        "injection",
    }
)

# Order ids: a letter prefix and 5+ digits (DD20261101001, BO-88001) or 10+ bare digits.
_ORDER_ID = re.compile(r"(?<![A-Za-z0-9])(?:[A-Za-z]{1,4}-?\d{5,}|\d{10,})(?![A-Za-z0-9])")
_HAS_WORD = re.compile(r"[\w\u4e00-\u9fff]", re.UNICODE)


class Understanding(BaseModel):
    """The message's language, intents ranked by probability, and the order ids it names."""

    language: str
    intent: str
    ranked: list[tuple[str, float]]
    order_ids: list[str]


def detect_language(text: str) -> str:
    """'zh' when the message is substantially Chinese, else 'en'."""
    return "zh" if cjk_ratio(text) >= ZH_MIN_CJK_SHARE else "en"


def understand(text: str, classifier: IntentClassifier) -> Understanding:
    """Classify a message and pull out its structural cues."""
    # A run of one repeated digit ("6666666666") is a cheer, not an order id.
    order_ids = [m.group(0) for m in _ORDER_ID.finditer(text) if len(set(m.group(0))) > 1]
    if not _HAS_WORD.search(text.replace("_", "")):
        ranked = [("chitchat", 1.0)]  # nothing but emoji and punctuation: a reaction
    else:
        ranked = list(classifier.predict(text).items())
    if order_ids and ranked[0][0] in ANSWERABLE_INTENTS | {"chitchat"}:
        # An order id is the strongest sign of an order question.
        ranked = [("order_status", 1.0), *[r for r in ranked if r[0] != "order_status"]]
    return Understanding(
        language=detect_language(text),
        intent=ranked[0][0],
        ranked=ranked,
        order_ids=order_ids,
    )

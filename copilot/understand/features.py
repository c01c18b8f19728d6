"""Language, order ids and deictic reference: the structural side of understanding."""

from __future__ import annotations

import re

from pydantic import BaseModel

from copilot.understand.classifier import IntentClassifier
from knowledge.lexical import cjk_ratio

ZH_MIN_CJK_SHARE = 0.2  # "这个price多少" is a Chinese sentence with an English word
INTENT_MIN_PROBABILITY = 0.3  # below this the message is treated as "other"

# Order ids: a letter prefix and 5+ digits (DD20261101001, BO-88001) or 10+ bare digits.
_ORDER_ID = re.compile(r"(?<![A-Za-z0-9])(?:[A-Za-z]{1,4}-?\d{5,}|\d{10,})(?![A-Za-z0-9])")
# Demonstratives: the closed class of words that point at "the one on stage".
_DEICTIC_ZH = re.compile(r"[这那][个款件套只瓶盒条双支台块把]|它")
_DEICTIC_EN = re.compile(r"\b(this|that|it)\b(?! (shop|stream|live))", re.IGNORECASE)
_HAS_WORD = re.compile(r"[\w\u4e00-\u9fff]", re.UNICODE)


class Understanding(BaseModel):
    """What the pipeline knows about a message before retrieval."""

    language: str
    intent: str
    confidence: float
    runner_up: str
    order_ids: list[str]
    deictic: bool


def detect_language(text: str) -> str:
    """'zh' when the message is substantially Chinese, else 'en'."""
    return "zh" if cjk_ratio(text) >= ZH_MIN_CJK_SHARE else "en"


def understand(text: str, classifier: IntentClassifier) -> Understanding:
    """Classify a message and pull out its structural cues."""
    language = detect_language(text)
    # A run of one repeated digit ("6666666666") is a cheer, not an order id.
    order_ids = [m.group(0) for m in _ORDER_ID.finditer(text) if len(set(m.group(0))) > 1]
    deictic = bool(_DEICTIC_ZH.search(text) or _DEICTIC_EN.search(text))
    if not _HAS_WORD.search(text.replace("_", "")):
        # Nothing but emoji and punctuation: a reaction.
        return Understanding(
            language=language,
            intent="chitchat",
            confidence=1.0,
            runner_up="chitchat",
            order_ids=[],
            deictic=False,
        )
    ranked = list(classifier.predict(text).items())
    intent, confidence = ranked[0]
    runner_up = ranked[1][0] if len(ranked) > 1 else intent
    if order_ids and intent not in {
        "chitchat",
        "after_sales",
        "payment_issue",
        "complaint",
        "human",
    }:
        # An order id is the strongest sign of an order question.
        intent = "order_status"
    if confidence < INTENT_MIN_PROBABILITY and intent != "order_status":
        intent = "other"
    return Understanding(
        language=language,
        intent=intent,
        confidence=confidence,
        runner_up=runner_up,
        order_ids=order_ids,
        deictic=deictic,
    )

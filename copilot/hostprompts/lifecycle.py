"""A room's prompt lifecycle: which topics are pushed, answered on air, dismissed.

Pure state over stream time: the worker (service.py) runs it on the live feed and stores
what changes; the show's review (review.py) replays a stored show through it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import numpy as np

from copilot.hostprompts.clusters import Question, Topic, TopicClusterer
from copilot.understand.features import detect_language

# A host line whose nearest piece is this similar to a topic (semantic + LEXICAL_WEIGHT *
# lexical, as a join) answers it ("刚才好多人问赠品，下单备注就送" against "赠品怎么领");
# chosen on simulated streams (docs/host_prompts.md).
ANSWERED_MIN = 0.65
# A line that names the topic's product needs to match only what is asked of it: "西湖龙井还有
# 没有货，还有60件" scores 0.61 against "西湖龙井有现货吗" with both names cut out.
ANSWERED_NAMED_MIN = 0.5
ANSWERABLE_ON_AIR_MIN_VIEWERS = 2  # a host line quiets topics this many viewers asked
PRODUCT_INTENTS = frozenset({"price_stock", "product_info", "promotion"})  # about a product


@dataclass(frozen=True)
class PromptRules:
    """The thresholds: window (stream s), unique viewers, cool-down after an answer (s)."""

    window_s: float = 120.0
    min_viewers: int = 5
    cooldown_s: float = 300.0


class RoomPrompts:
    """One room's topics and their prompts."""

    def __init__(self, rules: PromptRules, *, keep_retired: bool = False) -> None:
        self.rules = rules
        self.clusterer = TopicClusterer(rules.window_s, keep_retired=keep_retired)
        self.clock = 0.0  # the latest stream second seen
        self.product_names: dict[str, str] = {}  # of the products asked about, by SKU

    def question(
        self, data: dict[str, Any], semantic: np.ndarray, lexical: np.ndarray, compared: str
    ) -> tuple[Topic | None, bool]:
        """The topic whose prompt changed (and whether it opened), or None.

        `compared` is the text the vectors are of (the product's name cut out): its language,
        not the whole question's, is what a topic's members are grouped by ("is the 榨汁杯 sold
        out" is English once the name is out).
        """
        at = float(data["at"])
        self.clock = max(self.clock, at)
        if data.get("product_sku") and data.get("product_name"):
            self.product_names[str(data["product_sku"])] = str(data["product_name"])
        topic = self.clusterer.add(
            Question(
                viewer_id=str(data["viewer_id"]),
                text=str(data["text"]),
                at=at,
                language=detect_language(compared),
                intent=str(data.get("intent") or ""),
                product_sku=data.get("product_sku"),
                semantic=semantic,
                lexical=lexical,
                answer=data.get("answer"),
            )
        )
        if topic.status == "open":
            return topic, False
        viewers = topic.viewers_in_window()
        cooling = topic.quiet_since is not None and at - topic.quiet_since < self.rules.cooldown_s
        if len(viewers) < self.rules.min_viewers or cooling:
            return None, False
        topic.prompt_id = topic.prompt_id or uuid.uuid4().hex[:12]
        topic.status = "open"
        topic.opened_at = topic.opened_at if topic.opened_at is not None else at
        topic.acknowledged = False  # pushed afresh
        topic.viewers_since_open = viewers
        return topic, True

    def host_line(
        self,
        start: float,
        text: str,
        semantic: np.ndarray,
        lexical: np.ndarray,
        named: set[str] | None = None,
        compared: str | None = None,
    ) -> list[Topic]:
        """Topics the host just addressed on air: their prompts are answered.

        `semantic` and `lexical` hold a row for each of the line's pieces (`line_pieces`),
        product names cut out (`without_names`); `named` are the products it names: a line
        about one product answers no other's topics; `compared` is the line with the names
        out, whose language picks the topics' members to compare with.
        """
        self.clock = max(self.clock, start)
        answered = []
        for topic_id, score in self.clusterer.line_scores(
            semantic, lexical, detect_language(compared or text)
        ).items():
            topic = self.clusterer.topics[topic_id]
            names_it = topic.product_sku in (named or set())
            needed = ANSWERED_NAMED_MIN if names_it else ANSWERED_MIN
            if score < needed or topic.status in ("answered", "dismissed"):
                continue
            if named and topic.product_sku is not None and topic.product_sku not in named:
                continue
            if topic.status != "open" and (
                len(topic.viewers_in_window()) < ANSWERABLE_ON_AIR_MIN_VIEWERS
            ):
                continue
            topic.quiet_since = start
            topic.answered_by = text
            if topic.status == "open":
                topic.status = "answered"
                answered.append(topic)
        return answered

    def staff_change(self, kind: str, prompt_id: str | None) -> Topic | None:
        """A host or operator acknowledged or dismissed a prompt."""
        topics = self.clusterer.topics.values()
        topic = next((t for t in topics if t.prompt_id == prompt_id), None)
        if topic is None:
            return None
        if kind == "acknowledged":
            topic.acknowledged = True
        elif topic.status != "dismissed":
            topic.status = "dismissed"
            topic.quiet_since = self.clock
        return topic

    @staticmethod
    def view(topic: Topic) -> dict[str, Any]:
        count = len(topic.viewers_since_open)
        text = topic.representative()
        line = (
            # The frame in the language of the words it quotes.
            f"{count} 人在问：{text}"
            if detect_language(text) == "zh"
            else f"{count} viewers ask: {text}"
        )
        view: dict[str, Any] = {
            "id": topic.prompt_id,
            "topic": text,
            "line": line,
            "count": count,
            "samples": list(reversed(topic.samples)),
            "intent": topic.intent,
            "product_sku": topic.product_sku,
            "first_at": round(topic.first_at, 1),
            "last_at": round(topic.last_at, 1),
            "status": topic.status,
            # Most who asked it got no answer from the sources: the host must answer it.
            "sources_answer": topic.sources_answer,
            "suggested_answer": topic.suggested_answer(),
            "acknowledged": topic.acknowledged,
        }
        if topic.status == "answered" and topic.quiet_since is not None:
            view["answered_at"] = round(topic.quiet_since, 1)
            view["answered_by"] = topic.answered_by
        return view

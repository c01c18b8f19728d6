"""The show's review (复盘): what the audience asked over the stream, and what came of it.

The stored show (viewer questions with their stream moments, the transcript, the tickets)
is replayed through the same clustering and prompt lifecycle the live panel runs, so the
review lists every topic, not only those that crossed the threshold while someone watched.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from copilot.conversations import ConversationRepository
from copilot.errors import NotFound
from copilot.escalation import TicketRepository
from copilot.hostprompts.clusters import Topic
from copilot.hostprompts.features import line_pieces, without_name, without_names
from copilot.hostprompts.lifecycle import PRODUCT_INTENTS, PromptRules, RoomPrompts
from copilot.retrieval import StageSpan, stage_timeline
from copilot.runtime import Copilot
from knowledge.repository import CatalogRepository, RoomRepository
from transcripts.store import TranscriptRepository

TOPICS_SHOWN = 20
_NUMBERS = re.compile(r"\d+(?:\.\d+)?")


@dataclass(frozen=True)
class AskedQuestion:
    """One viewer question as stored."""

    at: float
    viewer_id: str
    text: str
    intent: str
    action: str
    product_sku: str | None
    latency_ms: float | None


@dataclass(frozen=True)
class TopicSummary:
    """One topic of the show."""

    wording: str  # the audience's own words for it
    samples: list[str]
    viewers: int
    asked: int
    intent: str
    product_sku: str | None
    first_at: float
    last_at: float
    prompted_at: float | None  # when it crossed the threshold
    answered_at: float | None  # when the host answered it on air
    answered_by: str
    sources_answer: bool


@dataclass
class ShowReview:
    """Everything the review page shows."""

    room_id: str
    title: str
    end_at: float
    questions: list[AskedQuestion]
    stage: list[StageSpan]
    product_names: dict[str, str]
    topics: list[TopicSummary]
    escalations: Counter[str] = field(default_factory=Counter)


def reason_kind(reason: str) -> str:
    """A ticket's reason without its details ("product unclear: A / B" -> "product unclear")."""
    if reason.startswith("intent:"):
        return reason
    head = reason.split(":", 1)[0] if ":" in reason else reason
    return _NUMBERS.sub("N", head).strip()


def review_show(copilot: Copilot, room_id: str, rules: PromptRules | None = None) -> ShowReview:
    """Read the room's stored show and replay it through the prompt lifecycle."""
    with copilot.db.read_scope() as session:
        room = RoomRepository(session).get(room_id)
        if room is None:
            raise NotFound(f"unknown room {room_id!r}")
        stored = ConversationRepository(session).room_questions(room_id)
        questions = [
            AskedQuestion(
                at=float(m.at or 0.0),
                viewer_id=viewer,
                text=m.text,
                intent=m.intent or "",
                action=m.action or "",
                product_sku=m.product_sku,
                latency_ms=m.latency_ms,
            )
            for m, viewer, _ in stored
        ]
        answers = [answer for _, _, answer in stored]
        lines = [(s.start, s.text) for s in TranscriptRepository(session, room_id).all()]
        stage = stage_timeline(session, copilot.indexes, room_id)
        names = {p.sku: p.name for p in CatalogRepository(session, room_id).products()}
        escalations = _by_kind(TicketRepository(session).reason_counts(room_id))
        title = room.title or room_id
    rules = rules or copilot.host_prompts.rules
    topics = _replay(copilot, questions, answers, lines, names, rules)
    end_at = max([q.at for q in questions] + [start for start, _ in lines] + [0.0])
    return ShowReview(
        room_id=room_id,
        title=title,
        end_at=end_at,
        questions=questions,
        stage=stage,
        product_names=names,
        topics=topics,
        escalations=escalations,
    )


def _by_kind(reasons: dict[str, int]) -> Counter[str]:
    kinds: Counter[str] = Counter()
    for reason, n in reasons.items():
        kinds[reason_kind(reason)] += n
    return kinds


def _replay(
    copilot: Copilot,
    questions: list[AskedQuestion],
    answers: list[str | None],
    lines: list[tuple[float, str]],
    names: dict[str, str],
    rules: PromptRules,
) -> list[TopicSummary]:
    """The show's topics, most viewers first, as the live lifecycle would have found them."""
    asked = [
        (q, a)
        for q, a in zip(questions, answers, strict=True)
        if q.action in ("answer", "escalate")
    ]
    # Lines lose the names of the products asked about, as the live worker's do.
    asked_names = {q.product_sku: names[q.product_sku] for q, _ in asked if q.product_sku in names}
    stripped = [without_names(text, asked_names) for _, text in lines]
    pieces = [line_pieces(text) for text, _ in stripped]
    texts = [_compared(q, names) for q, _ in asked] + [p for line in pieces for p in line]
    if not texts:
        return []
    semantic, lexical = copilot.host_prompts.features.vectors(texts)
    ends = len(asked) + np.cumsum([len(line) for line in pieces])
    timeline: list[tuple[float, int, int]] = [(q.at, 1, i) for i, (q, _) in enumerate(asked)]
    timeline += [(start, 0, i) for i, (start, _) in enumerate(lines)]
    room = RoomPrompts(rules, keep_retired=True)
    for _, is_question, row in sorted(timeline):
        if is_question:
            question, answer = asked[row]
            data = {
                "viewer_id": question.viewer_id,
                "text": question.text,
                "at": question.at,
                "intent": question.intent,
                "product_sku": question.product_sku if question.intent in PRODUCT_INTENTS else None,
                "answer": answer,
            }
            room.question(data, semantic[row], lexical[row], texts[row])
        else:
            start, text = lines[row]
            rows = slice(int(ends[row]) - len(pieces[row]), int(ends[row]))
            line, named = stripped[row]
            room.host_line(start, text, semantic[rows], lexical[rows], named, compared=line)
    every = list(room.clusterer.topics.values()) + (room.clusterer.retired or [])
    ranked = sorted(every, key=lambda t: (-len(t.viewers_ever), t.first_at))
    return [_summary(t) for t in ranked if len(t.viewers_ever) >= 2][:TOPICS_SHOWN]


def _compared(question: AskedQuestion, names: dict[str, str]) -> str:
    """The words the clusterer compares, as the live worker does (the product's name out)."""
    name = names.get(question.product_sku or "") if question.intent in PRODUCT_INTENTS else None
    return without_name(question.text, name) if name else question.text


def _summary(topic: Topic) -> TopicSummary:
    answered = topic.quiet_since if topic.answered_by else None
    return TopicSummary(
        wording=topic.representative(),
        samples=list(reversed(topic.samples)),
        viewers=len(topic.viewers_ever),
        asked=topic.asked,
        intent=topic.intent,
        product_sku=topic.product_sku,
        first_at=topic.first_at,
        last_at=topic.last_at,
        prompted_at=topic.opened_at,
        answered_at=answered,
        answered_by=topic.answered_by,
        sources_answer=topic.sources_answer,
    )


def latency_percentiles(questions: list[AskedQuestion]) -> dict[str, float | None]:
    """p50 / p95 / max of the copilot's work per question (ms)."""
    values = [q.latency_ms for q in questions if q.latency_ms is not None]
    if not values:
        return {"p50": None, "p95": None, "max": None}
    return {
        "p50": round(float(np.percentile(values, 50)), 1),
        "p95": round(float(np.percentile(values, 95)), 1),
        "max": round(max(values), 1),
    }

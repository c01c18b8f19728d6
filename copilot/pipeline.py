"""The one place that chains admit -> understand -> retrieve -> answer -> guard -> escalate."""

from __future__ import annotations

import time

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from copilot.answer.wording import ESCALATED
from copilot.bus import QUESTIONS_CHANNEL, TICKETS_CHANNEL, Event, room_channel
from copilot.conversations import ConversationRepository
from copilot.errors import InvalidInput, NotFound, PayloadTooLarge
from copilot.escalation import open_ticket
from copilot.guards import check_draft
from copilot.retrieval import gather
from copilot.runtime import Copilot
from copilot.schemas import Context, QuestionResult
from copilot.understand import ANSWERABLE_INTENTS, ESCALATING_INTENTS, Understanding, understand
from knowledge.repository import RoomRepository
from transcripts.replay import replay_link

ANSWERABLE_OVER_CHITCHAT = 0.3  # an answerable reading this likely beats a top "chitchat"
INJECTION_QUESTION_MIN = 0.1  # a question inside an injection attempt this likely is answered
UNCLEAR_MAX = 0.12  # no intent this likely: a person reads it rather than a guess
ESCALATE_MIN = 0.4  # an escalating intent hands over outright when this sure
READING_MIN = 0.1  # answerable readings are tried, in rank order, down to this probability
RELATIVE_READING_MIN = 0.5  # ... and down to this share of the best reading's probability
MAX_READINGS = 3


def admit(copilot: Copilot, *, viewer_id: str, text: str, at: float | None) -> str:
    """Validate a question before any work; returns the trimmed text."""
    trimmed = text.strip()
    if not trimmed:
        raise InvalidInput("the question is empty")
    limit = copilot.settings.max_question_chars
    if len(trimmed) > limit:
        raise PayloadTooLarge(f"the question is {len(trimmed)} characters; the limit is {limit}")
    if not viewer_id.strip():
        raise InvalidInput("viewer_id is required")
    if at is not None and at < 0:
        raise InvalidInput("at must be zero or more seconds")
    return trimmed


def ask(
    copilot: Copilot, *, room_id: str, viewer_id: str, text: str, at: float | None = None
) -> QuestionResult:
    """Put one viewer question through the whole pipeline and record it.

    The work (understanding, retrieval, composition, guards) reads one snapshot and writes
    nothing; the records (the viewer's message, any ticket, the reply) are written after it
    in one short transaction, so askers and catalog loads never wait on each other's work.
    """
    started = time.perf_counter()
    text = admit(copilot, viewer_id=viewer_id, text=text, at=at)
    with copilot.db.read_scope() as session:
        if RoomRepository(session).get(room_id) is None:
            raise NotFound(f"unknown room {room_id!r}")
        understanding = understand(text, copilot.classifier)
        reading = plan(understanding)
        context: Context | None = None
        if reading.ignore:
            decision = Decision(result=QuestionResult(action="ignore", answer=""))
        else:
            context = gather(
                session,
                indexes=copilot.indexes,
                room_id=room_id,
                viewer_id=viewer_id,
                text=text,
                at=at,
                understanding=understanding,
            )
            decision = _answer_or_escalate(copilot, session, context, reading)
    with copilot.db.session_scope() as session:
        if RoomRepository(session).get(room_id) is None:  # deleted while we worked
            raise NotFound(f"unknown room {room_id!r}")
        conversations = ConversationRepository(session)
        conversation = conversations.for_viewer(room_id, viewer_id)
        conversations.add_message(
            conversation, role="viewer", text=text, at=at, intent=understanding.intent
        )
        if decision.result is not None:
            result = decision.result
        else:
            assert context is not None, "only a gathered question is escalated"
            result = _escalate(copilot, session, context, conversation.id, decision.escalate)
        result.intent = result.intent or understanding.intent
        result.language = understanding.language
        conversations.add_message(
            conversation,
            role="copilot",
            text=result.answer,
            action=result.action,
            intent=result.intent,
        )
    # Published only after the commit, so subscribers can read what they are told about.
    event_data = {"viewer_id": viewer_id, "intent": result.intent, "action": result.action}
    copilot.bus.publish(
        room_channel(QUESTIONS_CHANNEL, room_id),
        Event(type="question.answered", room_id=room_id, data={**event_data, "text": text}),
    )
    if result.ticket_id:
        copilot.bus.publish(
            TICKETS_CHANNEL,
            Event(
                type="ticket.created",
                room_id=room_id,
                data={**event_data, "ticket_id": result.ticket_id},
            ),
        )
    result.latency_ms = round((time.perf_counter() - started) * 1000, 1)
    return result


class Decision(BaseModel):
    """What the read phase decided: a result to send, or the reason to hand over."""

    result: QuestionResult | None = None
    escalate: str = ""


class Reading(BaseModel):
    """What to do with a message given its ranked intents."""

    ignore: bool = False
    escalate: str = ""
    attempts: list[str] = Field(default_factory=list)


def _runner_up(understanding: Understanding) -> tuple[str, float]:
    return understanding.ranked[1] if len(understanding.ranked) > 1 else ("", 0.0)


def plan(understanding: Understanding) -> Reading:
    """Ignore sure reactions, hand sure escalations over, else try answerable readings in order."""
    top, probability = understanding.ranked[0]
    if top == "chitchat":
        # A reaction unless an answerable reading is nearly as likely ("好美！这个多少钱").
        second, second_probability = _runner_up(understanding)
        if second not in ANSWERABLE_INTENTS or second_probability < ANSWERABLE_OVER_CHITCHAT:
            return Reading(ignore=True)
        return Reading(attempts=[second])
    if probability < UNCLEAR_MAX:
        return Reading(escalate=f"unclear message (best intent {top} at {probability:.2f})")
    if top == "injection":
        # Safe by construction: composers can only show the asker's own orders and public
        # facts, so a real question inside an injection attempt may still be answered.
        second, second_probability = _runner_up(understanding)
        if second in ANSWERABLE_INTENTS and second_probability >= INJECTION_QUESTION_MIN:
            return Reading(attempts=[second])
        return Reading(escalate="intent: injection")
    if top in ESCALATING_INTENTS and probability >= ESCALATE_MIN:
        return Reading(escalate=f"intent: {top}")
    # Fallback readings must be nearly as likely as the best one: a faint "price" reading
    # must not answer "is it hand-roasted?" with a price.
    floor = max(READING_MIN, RELATIVE_READING_MIN * probability)
    attempts = [
        intent
        for intent, p in understanding.ranked[:MAX_READINGS]
        if intent in ANSWERABLE_INTENTS and (p >= floor or intent == top)
    ]
    if "price_stock" in attempts and "product_info" not in attempts:
        # The price composer declines "充绒量多少克"; the detail composer then answers it.
        attempts.append("product_info")
    if not attempts:
        if top == "chitchat":
            return Reading(ignore=True)
        return Reading(escalate=f"intent: {top}")
    return Reading(attempts=attempts)


def _answer_or_escalate(
    copilot: Copilot, session: Session, context: Context, reading: Reading
) -> Decision:
    """Compose and guard an answer from the snapshot; writes nothing."""
    if reading.escalate:
        return Decision(escalate=reading.escalate)
    if context.other_viewers_named:
        return Decision(escalate=f"asks about other viewers: {context.other_viewers_named}")
    if context.unknown_order_ids:
        return Decision(
            escalate=f"order ids not in the viewer's account: {context.unknown_order_ids}"
        )
    # Re-read by query: the session's cached room would always agree with itself.
    kb_version_now = RoomRepository(session).kb_version(context.room_id)
    reason = "sources do not answer"
    for intent in reading.attempts:
        draft = copilot.composer.compose(context, intent)
        if draft is None:
            continue
        verdict = check_draft(
            draft,
            kb_version_used=context.kb_version,
            kb_version_now=-1 if kb_version_now is None else kb_version_now,
        )
        if not verdict.ok:
            reason = f"guard: {verdict.reason}"
            continue
        base = copilot.settings.replay_url
        answer = QuestionResult(
            action="answer",
            answer=draft.text,
            citations=[e.citation() for e in draft.evidence],
            replay=[
                replay_link(base, context.room_id, e.start)
                for e in draft.evidence
                if e.start is not None
            ],
            intent=intent,
        )
        return Decision(result=answer)
    if context.understanding.intent == "chitchat":
        return Decision(result=QuestionResult(action="ignore", answer=""))
    return Decision(escalate=reason)


def _escalate(
    copilot: Copilot, session: Session, context: Context, conversation_id: int, reason: str
) -> QuestionResult:
    ticket = open_ticket(
        session,
        context=context,
        conversation_id=conversation_id,
        reason=reason,
        base_url=copilot.settings.replay_url,
    )
    return QuestionResult(
        action="escalate",
        answer=ESCALATED[context.understanding.language],
        replay=list(ticket.replay),
        ticket_id=ticket.id,
        reason=reason,
    )

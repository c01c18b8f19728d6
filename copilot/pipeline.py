"""The one place that chains admit -> understand -> retrieve -> answer -> guard -> escalate."""

from __future__ import annotations

import time

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from copilot.conversations import ConversationRepository
from copilot.errors import InvalidInput, NotFound, PayloadTooLarge
from copilot.escalation import TicketRepository, open_ticket
from copilot.escalation.handoff import handoff_message, need_for
from copilot.escalation.lifecycle import COPILOT, auto_assign, reopen_for_viewer, viewer_wrote
from copilot.escalation.service import priority_for
from copilot.guards import check_draft
from copilot.hostprompts.service import question_event
from copilot.models import Ticket, as_utc, utcnow
from copilot.retrieval import gather
from copilot.runtime import Copilot
from copilot.schemas import Context, Draft, QuestionResult
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
SECOND_READING_MIN = 0.25  # a second answerable reading this likely is answered too
PRODUCT_READINGS = frozenset({"price_stock", "product_info", "promotion"})  # need a product
# Readings that complete each other: "现在拍几天到" may ask about an order or the policy.
COMPLEMENTARY = frozenset({"order_status", "policy"})


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
    copilot: Copilot,
    *,
    room_id: str,
    viewer_id: str,
    text: str,
    at: float | None = None,
    base_url: str = "",
    hand_over: str = "",
) -> QuestionResult:
    """Put one viewer question through the whole pipeline and record it in the viewer's thread.

    The work (understanding, retrieval, composition, guards) reads one snapshot and writes
    nothing; the records (the viewer's message, the ticket, the reply) are written after it
    in one short transaction, so askers and catalog loads never wait on each other's work.
    Replay links start with `base_url` (the server's address) unless COPILOT_PUBLIC_URL is set.
    `hand_over` (a reason) sends the message to a person whatever it says ("talk to a person").
    """
    started = time.perf_counter()
    text = admit(copilot, viewer_id=viewer_id, text=text, at=at)
    with copilot.db.read_scope() as session:
        if RoomRepository(session).get(room_id) is None:
            raise NotFound(f"unknown room {room_id!r}")
        understanding = understand(text, copilot.classifier)
        if copilot.intent_reader is not None and not hand_over:
            understanding = copilot.intent_reader.revise(text, understanding)
        if hand_over:
            understanding = understanding.model_copy(update={"intent": "human"})
        reading = Reading(escalate=hand_over) if hand_over else plan(understanding)
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
            decision = _answer_or_escalate(copilot, session, context, reading, base_url)
    worked_ms = round((time.perf_counter() - started) * 1000, 1)
    with copilot.db.session_scope() as session:
        if RoomRepository(session).get(room_id) is None:  # deleted while we worked
            raise NotFound(f"unknown room {room_id!r}")
        result, changed = _record(
            copilot,
            session,
            room_id,
            viewer_id,
            text,
            context.at if context is not None else at,  # the live clock's moment, once resolved
            understanding,
            decision,
            context,
            base_url,
            worked_ms,
        )
    # Published only after the commit, so subscribers can read what they are told about.
    copilot.delivery.conversation_changed(room_id, viewer_id)
    if changed is not None:
        copilot.delivery.tickets_changed(room_id, changed)
    if context is not None and result.action != "ignore":
        copilot.host_prompts.publish(
            question_event(
                room_id,
                viewer_id=viewer_id,
                text=text,
                at=context.at,
                intent=result.intent or understanding.intent,
                language=understanding.language,
                product_sku=context.product.sku if context.product is not None else None,
                product_name=context.product.name if context.product is not None else None,
                answer=result.answer if result.action == "answer" else None,
            )
        )
    result.latency_ms = round((time.perf_counter() - started) * 1000, 1)
    return result


def _record(
    copilot: Copilot,
    session: Session,
    room_id: str,
    viewer_id: str,
    text: str,
    at: float | None,
    understanding: Understanding,
    decision: Decision,
    context: Context | None,
    base_url: str,
    worked_ms: float,
) -> tuple[QuestionResult, str | None]:
    """Write the question into the viewer's thread; returns the result and any ticket changed.

    One open ticket per viewer and room: while an agent holds it the copilot only drafts, for
    the agent; while it waits in the queue, answers still go out and escalations append to it.
    """
    conversations = ConversationRepository(session)
    conversation = conversations.for_viewer(room_id, viewer_id)
    ticket = TicketRepository(session).open_for(room_id, viewer_id)
    question = conversations.add_message(
        conversation,
        role="viewer",
        text=text,
        at=at,
        intent=understanding.intent,
        ticket_id=ticket.id if ticket else None,
    )
    language = understanding.language
    answered = decision.result
    if ticket is not None and ticket.assignee is not None:
        draft = answered.answer if answered is not None and answered.action == "answer" else None
        viewer_wrote(session, ticket, question, draft=draft)
        result = QuestionResult(
            action="escalate", answer="", ticket_id=ticket.id, reason=f"held by {ticket.assignee}"
        )
    elif answered is not None:
        result = answered
        if ticket is not None:
            viewer_wrote(session, ticket, question, draft=None)
    else:
        assert context is not None, "only a gathered question is escalated"
        if ticket is not None:
            viewer_wrote(session, ticket, question, draft=None)
            ticket.priority = min(ticket.priority, priority_for(understanding.intent))
            answer = handoff_message("appended", language)
        else:
            ticket = _hand_over(copilot, session, context, conversation.id, decision.escalate)
            question.ticket_id = ticket.id
            need = need_for(understanding.intent, decision.escalate)
            answer = handoff_message(
                need, language, ticket.order_id, products=context.product_candidates
            )
        result = QuestionResult(
            action="escalate",
            answer=answer,
            replay=[_replay(copilot, base_url, room_id, m) for m in ticket.moments],
            ticket_id=ticket.id,
            reason=decision.escalate,
        )
    result.intent = result.intent or understanding.intent
    result.language = language
    question.action = result.action
    question.latency_ms = worked_ms
    if context is not None and context.product is not None:
        question.product_sku = context.product.sku
    if result.answer:  # a held thread gets no copilot message: the agent answers
        conversations.add_message(
            conversation,
            role="copilot",
            text=result.answer,
            action=result.action,
            intent=result.intent,
            ticket_id=result.ticket_id,
        )
    if ticket is not None and result.action == "escalate":
        _offer(copilot, session, ticket)  # after the hand-over line: "a person has joined"
    return result, ticket.id if ticket is not None else None


def _hand_over(
    copilot: Copilot, session: Session, context: Context, conversation_id: int, reason: str
) -> Ticket:
    """Reopen the viewer's recently resolved ticket, or open one."""
    tickets = TicketRepository(session)
    latest = tickets.latest_for(context.room_id, context.viewer_id)
    if (
        latest is not None
        and latest.resolved_at is not None
        and (utcnow() - as_utc(latest.resolved_at)).total_seconds()
        <= copilot.settings.ticket_reopen_s
    ):
        reopen_for_viewer(session, latest, reason)
        return latest
    ticket = open_ticket(session, context=context, conversation_id=conversation_id, reason=reason)
    tickets.record(ticket, COPILOT, "created", reason=reason, intent=ticket.intent)
    return ticket


def _offer(copilot: Copilot, session: Session, ticket: Ticket) -> None:
    """Round-robin a ticket nobody holds to an online agent, when the shop wants that."""
    settings = copilot.settings
    if settings.auto_assign and ticket.assignee is None:
        auto_assign(
            session, ticket, online_within_s=settings.presence_ttl_s, cap=settings.agent_max_open
        )


def _replay(copilot: Copilot, base_url: str, room_id: str, seconds: float) -> str:
    return replay_link(copilot.settings.public_base(base_url) + "/replay", room_id, seconds)


class Decision(BaseModel):
    """What the read phase decided: a result to send, or the reason to hand over."""

    result: QuestionResult | None = None
    escalate: str = ""


class Reading(BaseModel):
    """What to do with a message given its ranked intents."""

    ignore: bool = False
    escalate: str = ""
    attempts: list[str] = Field(default_factory=list)
    also: list[str] = Field(default_factory=list)  # complementary readings to answer as well


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
    also = [
        intent
        for intent, p in understanding.ranked[1:MAX_READINGS]
        if intent in attempts and intent in COMPLEMENTARY and p >= SECOND_READING_MIN
    ]
    return Reading(attempts=attempts, also=also)


def _with_second_reading(
    copilot: Copilot, context: Context, reading: Reading, answered: str, draft: Draft, kb_now: int
) -> Draft:
    """The draft completed by a second likely reading from another kind of source.

    "现在拍几天到" may ask about the viewer's order or the shop's shipping policy: both answer.
    """
    if answered not in COMPLEMENTARY:
        return draft
    kinds = {e.kind for e in draft.evidence}
    for intent in (i for i in reading.also if i != answered):
        extra = copilot.composer.compose(context, intent)
        if extra is None or {e.kind for e in extra.evidence} & kinds:
            continue
        if check_draft(extra, kb_version_used=context.kb_version, kb_version_now=kb_now).ok:
            return Draft(
                text=f"{draft.text}\n{extra.text}",
                evidence=[*draft.evidence, *extra.evidence],
                composer=draft.composer,
            )
    return draft


def _answer_or_escalate(
    copilot: Copilot, session: Session, context: Context, reading: Reading, base_url: str
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
    held = TicketRepository(session).open_for(context.room_id, context.viewer_id)
    if held is not None and held.assignee is not None:
        context = context.model_copy(update={"stream_answer": False})
    first = reading.attempts[0] if reading.attempts else ""
    if context.product_candidates and first in PRODUCT_READINGS:
        return Decision(escalate=f"product unclear: {' / '.join(context.product_candidates)}")
    # Re-read by query: the session's cached room would always agree with itself.
    kb_version_now = RoomRepository(session).kb_version(context.room_id)
    kb_now = -1 if kb_version_now is None else kb_version_now
    reason = "sources do not answer"
    for intent in reading.attempts:
        draft = copilot.composer.compose(context, intent)
        if draft is None:
            continue
        verdict = check_draft(draft, kb_version_used=context.kb_version, kb_version_now=kb_now)
        if not verdict.ok:
            reason = f"guard: {verdict.reason}"
            continue
        draft = _with_second_reading(copilot, context, reading, intent, draft, kb_now)
        answer = QuestionResult(
            action="answer",
            answer=draft.text,
            citations=[e.citation() for e in draft.evidence],
            replay=[
                _replay(copilot, base_url, context.room_id, e.start)
                for e in draft.evidence
                if e.start is not None
            ],
            intent=intent,
            composer=draft.composer,
        )
        return Decision(result=answer)
    if context.understanding.intent == "chitchat":
        return Decision(result=QuestionResult(action="ignore", answer=""))
    return Decision(escalate=reason)

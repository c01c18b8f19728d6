"""The LLM composer: an OpenAI-compatible model words the grounded composer's answer.

The grounded composer still decides whether the sources answer and which ones (so the LLM
sees only the asker's own orders and public facts, never another viewer's); the LLM then
phrases the answer from exactly that evidence, and `check_voiced` passes each sentence
before it streams. Any failure (a time-out, an error, "ESCALATE", a sentence the guard
stops) falls back to the grounded draft, which has passed the ordinary guard: a viewer may
have seen sentences that passed, never one that did not.
"""

from __future__ import annotations

import json
import logging
import queue
import re
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import numpy as np
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage
from langchain_core.prompts import ChatPromptTemplate
from pydantic import SecretStr

from copilot.answer.composer import AnswerComposer
from copilot.guards.grounding import GuardVerdict
from copilot.guards.voiced import check_voiced, without_citations
from copilot.schemas import Context, Draft
from prompts import load_chat

logger = logging.getLogger(__name__)
# v3 leaves "the sources do not answer" to the grounded composer (the LLM is only asked when
# it has an answer): with v2's "reply ESCALATE" rule, the 0.5B test model declined 82 of 102
# demo answers (docs/llm_composer.md).
ANSWER_PROMPT = ("answer", 3)
DECLINE = "ESCALATE"
KEPT_TIMINGS = 10_000
MAX_ANSWER_TOKENS = 160  # three short sentences, with room for Chinese tokenisation
LANGUAGE_NAMES = {"zh": "Simplified Chinese", "en": "English"}
_SENTENCE_END = re.compile(r"[。！？!?\n]|\.(?=\s)")

Partial = Callable[[Context, str], None]  # (the question's context, the answer so far)


@dataclass
class ComposerStats:
    """What the LLM path did, for `copilot eval` and the logs (thread-safe counters)."""

    answered: int = 0
    fallbacks: Counter[str] = field(default_factory=Counter)  # by cause
    interventions: Counter[str] = field(default_factory=Counter)  # guard stops, by check
    # The latest attempts' figures only: a server counts for ever, and a window is what a
    # dashboard wants.
    first_token_s: deque[float] = field(default_factory=lambda: deque(maxlen=KEPT_TIMINGS))
    tokens: deque[int] = field(default_factory=lambda: deque(maxlen=KEPT_TIMINGS))  # chunks
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, outcome: str, first_token_s: float | None, tokens: int) -> None:
        """Count one attempt: "llm" when it answered, else the cause of the fallback."""
        with self._lock:
            if first_token_s is not None:
                self.first_token_s.append(first_token_s)
            if outcome == "llm":
                self.answered += 1
                self.tokens.append(tokens)
                return
            self.fallbacks[outcome.split(":")[0]] += 1
            if outcome.startswith("guard:"):
                self.interventions[outcome.split(":", 1)[1].split(":")[0].strip()] += 1

    def summary(self) -> dict[str, Any]:
        """The counts and the medians and 95th percentiles, as `copilot eval` prints them."""
        with self._lock:
            attempts = self.answered + sum(self.fallbacks.values())
            return {
                "attempts": attempts,
                "llm_answers": self.answered,
                "fallbacks": dict(self.fallbacks),
                "guard_interventions": dict(self.interventions),
                "first_token_s": _percentiles(list(self.first_token_s)),
                "tokens_per_answer": _percentiles([float(t) for t in self.tokens]),
            }


def _percentiles(values: list[float]) -> dict[str, float] | None:
    if not values:
        return None
    p50, p95 = np.percentile(values, [50, 95])
    return {"p50": round(float(p50), 3), "p95": round(float(p95), 3)}


class Fallback(Exception):
    """The LLM's answer cannot be used; the message says why."""


class LlmComposer:
    """An AnswerComposer whose answers an LLM words from the grounded composer's evidence."""

    def __init__(
        self,
        grounded: AnswerComposer,
        chat: BaseChatModel,
        *,
        first_token_s: float,
        total_s: float,
        template: ChatPromptTemplate | None = None,
        on_partial: Partial | None = None,
    ) -> None:
        self.grounded = grounded
        self.chat = chat
        self.first_token_s = first_token_s
        self.total_s = total_s
        self.template = template or load_chat(*ANSWER_PROMPT)
        self.on_partial = on_partial
        self.stats = ComposerStats()

    def compose(self, context: Context, intent: str) -> Draft | None:
        """The grounded draft for this reading worded by the LLM, or the draft itself."""
        draft = self.grounded.compose(context, intent)
        if draft is None:
            return None
        started = time.monotonic()
        first: float | None = None
        tokens = 0
        try:
            text, streamed = "", 0
            for piece in self._stream(context, draft):
                if first is None:
                    first = time.monotonic() - started
                tokens += 1
                text += piece
                streamed = self._stream_sentences(context, draft, text, streamed)
            answer = self._final(context, draft, text)
        except Fallback as stopped:
            self.stats.record(str(stopped), first, tokens)
            return draft
        self.stats.record("llm", first, tokens)
        return Draft(text=answer, evidence=draft.evidence, composer="llm")

    def messages_for(self, context: Context, draft: Draft) -> list[BaseMessage]:
        """The chat messages sent: the rules, the grounded draft, the numbered evidence, and
        the viewer's words as a JSON string (data, not instructions)."""
        sources = "\n".join(
            f"[{n}] ({e.kind} {e.id}) {e.text}" for n, e in enumerate(draft.evidence, 1)
        )
        return self.template.format_messages(
            language=LANGUAGE_NAMES.get(context.understanding.language, "English"),
            draft=draft.text,
            sources=sources,
            question=json.dumps(context.text, ensure_ascii=False),
        )

    def _stream(self, context: Context, draft: Draft) -> Iterator[str]:
        """The reply's text as it arrives; a time-out or error raises Fallback.

        The reply is read on its own thread and waited for by the clock, so neither a silent
        endpoint nor one sending only keep-alives holds the viewer past the limits. An
        abandoned read ends with the HTTP read time-out.
        """
        arrived: queue.Queue[tuple[str, str | BaseException]] = queue.Queue()
        messages = self.messages_for(context, draft)

        def read() -> None:
            try:
                for chunk in self.chat.stream(messages):
                    if isinstance(chunk.content, str) and chunk.content:
                        arrived.put(("piece", chunk.content))
                arrived.put(("end", ""))
            except Exception as exc:  # handed to the waiting side, which falls back
                arrived.put(("error", exc))

        threading.Thread(target=read, name="llm-reply", daemon=True).start()
        started = time.monotonic()
        seen = False
        while True:
            limit = self.total_s if seen else self.first_token_s
            try:
                kind, value = arrived.get(timeout=max(0.0, started + limit - time.monotonic()))
            except queue.Empty:
                raise Fallback("total time-out" if seen else "first-token time-out") from None
            if kind == "end":
                return
            if isinstance(value, BaseException):
                timed_out = isinstance(value, httpx.TimeoutException | TimeoutError) or (
                    "timeout" in type(value).__name__.lower()
                )
                if timed_out:
                    raise Fallback("total time-out" if seen else "first-token time-out")
                raise Fallback(f"endpoint error: {type(value).__name__}")
            seen = True
            yield value

    def _stream_sentences(self, context: Context, draft: Draft, text: str, streamed: int) -> int:
        """Check each sentence finished since `streamed` characters (returns the new count):
        raise Fallback at the first that adds a fact; send the text so far to the viewer once
        it also holds every number of the grounded answer, in the viewer's language."""
        if text.strip().startswith(DECLINE):
            return streamed
        for end in (m.end() for m in _SENTENCE_END.finditer(text)):
            if end <= streamed:
                continue
            done = text[:end]
            verdict = _checked(context, draft, done, complete=False)
            if not verdict.ok:
                raise Fallback(f"guard: {verdict.reason}")
            shown = without_citations(done)
            if shown == without_citations(text[:streamed]) or not shown:
                continue
            if _checked(context, draft, done, complete=True).ok:
                self._send(context, shown)
                streamed = end
        return streamed

    def _send(self, context: Context, text: str) -> None:
        """Hand the answer so far to the viewer's stream; a failure there loses a partial,
        never the answer."""
        if self.on_partial is None or not context.stream_answer:
            return
        try:
            self.on_partial(context, text)
        except Exception:
            logger.warning("a partial answer could not be published", exc_info=True)

    def _final(self, context: Context, draft: Draft, text: str) -> str:
        """The whole reply, checked; raises Fallback when it declines or fails the guard."""
        if text.strip().startswith(DECLINE):
            raise Fallback("declined")
        verdict = _checked(context, draft, text, complete=True)
        if not verdict.ok:
            raise Fallback(f"guard: {verdict.reason}")
        return without_citations(text)


def _checked(context: Context, draft: Draft, text: str, *, complete: bool) -> GuardVerdict:
    """`check_voiced` of an LLM's text against the draft it rewords (whole, or a prefix)."""
    return check_voiced(
        text,
        evidence=draft.evidence,
        allowed=f"{draft.text} {context.text}",
        language=context.understanding.language,
        catalog_names=context.catalog_names,
        keeps=draft.text if complete else "",
        complete=complete,
    )


def chat_model(
    *,
    base_url: str,
    model: str,
    api_key: str,
    first_token_s: float,
    max_tokens: int = MAX_ANSWER_TOKENS,
) -> BaseChatModel:
    """A streaming chat model over any OpenAI-compatible endpoint; no retries (a retry
    would spend the viewer's time-out twice: the grounded answer is the retry)."""
    from langchain_openai import ChatOpenAI  # imported only when a shop configures an LLM

    return ChatOpenAI(
        base_url=base_url,
        model=model,
        api_key=SecretStr(api_key or "none"),  # local servers take any key; the client wants one
        # A plain number: the openai client's transport (httpx or httpx2) takes that whatever
        # its version; the total limit is kept by the clock in LlmComposer._stream.
        timeout=first_token_s,
        max_retries=0,
        temperature=0.2,
        max_completion_tokens=max_tokens,
        stream_usage=True,
    )

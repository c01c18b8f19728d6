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
import re
import threading
import time
from collections import Counter
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
from copilot.guards.voiced import check_voiced, without_citations
from copilot.schemas import Context, Draft
from prompts import load_chat

# v3 leaves "the sources do not answer" to the grounded composer (the LLM is only asked when
# it has an answer): with v2's "reply ESCALATE" rule, the 0.5B test model declined 82 of 102
# demo answers (docs/llm_composer.md).
ANSWER_PROMPT = ("answer", 3)
DECLINE = "ESCALATE"
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
    first_token_s: list[float] = field(default_factory=list)
    tokens: list[int] = field(default_factory=list)  # per answer the LLM finished
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
                "first_token_s": _percentiles(self.first_token_s),
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
        """The reply's text as it arrives; a time-out or error raises Fallback."""
        deadline = time.monotonic() + self.total_s
        first_by = time.monotonic() + self.first_token_s
        seen = False
        try:
            for chunk in self.chat.stream(self.messages_for(context, draft)):
                now = time.monotonic()
                content = chunk.content if isinstance(chunk.content, str) else ""
                if not seen and not content and now > first_by:
                    raise Fallback("first-token time-out")
                if now > deadline:
                    raise Fallback("total time-out")
                if content:
                    seen = True
                    yield content
        except (httpx.TimeoutException, TimeoutError) as exc:
            raise Fallback("first-token time-out" if not seen else "total time-out") from exc
        except Fallback:
            raise
        except Exception as exc:  # the endpoint's own failures: refused, 5xx, bad JSON
            if "timeout" in type(exc).__name__.lower():
                raise Fallback("first-token time-out" if not seen else "total time-out") from exc
            raise Fallback(f"endpoint error: {type(exc).__name__}") from exc

    def _stream_sentences(self, context: Context, draft: Draft, text: str, streamed: int) -> int:
        """Send each sentence finished since `streamed` characters once it passes (returns
        the new count); raise Fallback at the first that does not."""
        if text.strip().startswith(DECLINE):
            return streamed
        for end in (m.end() for m in _SENTENCE_END.finditer(text)):
            if end <= streamed:
                continue
            done = text[:end]
            verdict = check_voiced(
                done,
                evidence=draft.evidence,
                allowed=f"{draft.text} {context.text}",
                language=context.understanding.language,
                catalog_names=context.catalog_names,
                complete=False,
            )
            if not verdict.ok:
                raise Fallback(f"guard: {verdict.reason}")
            if self.on_partial is not None:
                self.on_partial(context, without_citations(done))
            streamed = end
        return streamed

    def _final(self, context: Context, draft: Draft, text: str) -> str:
        """The whole reply, checked; raises Fallback when it declines or fails the guard."""
        if text.strip().startswith(DECLINE):
            raise Fallback("declined")
        verdict = check_voiced(
            text,
            evidence=draft.evidence,
            allowed=f"{draft.text} {context.text}",
            language=context.understanding.language,
            catalog_names=context.catalog_names,
            keeps=draft.text,
        )
        if not verdict.ok:
            raise Fallback(f"guard: {verdict.reason}")
        return without_citations(text)


def chat_model(
    *,
    base_url: str,
    model: str,
    api_key: str,
    first_token_s: float,
    total_s: float,
    max_tokens: int = MAX_ANSWER_TOKENS,
) -> BaseChatModel:
    """A streaming chat model over any OpenAI-compatible endpoint; no retries (a retry
    would spend the viewer's time-out twice: the grounded answer is the retry)."""
    from langchain_openai import ChatOpenAI  # imported only when a shop configures an LLM

    return ChatOpenAI(
        base_url=base_url,
        model=model,
        api_key=SecretStr(api_key or "none"),  # local servers take any key; the client wants one
        timeout=httpx.Timeout(total_s, connect=first_token_s, read=first_token_s),
        max_retries=0,
        temperature=0.2,
        max_completion_tokens=max_tokens,
        stream_usage=True,
    )

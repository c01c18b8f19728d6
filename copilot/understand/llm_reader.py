"""A second reading of a message by an LLM, for shops that turn it on (`COPILOT_LLM_UNDERSTAND`).

The classifier's probabilities stay the evidence the planner reads; the LLM's label is one
vote that lifts its intent to the top when the classifier found it plausible at all. A
label that is not one of the intents, a time-out or an error leaves the classifier's reading
as it was.
"""

from __future__ import annotations

import json
import re
import threading

from langchain_core.language_models import BaseChatModel

from copilot.understand.features import ESCALATING_INTENTS, Understanding
from prompts import load_chat

INTENT_PROMPT = ("intent", 1)
# The LLM's label counts only when the classifier gave it this much: a label the classifier
# all but ruled out is more likely the small model's guess than the classifier's miss.
PLAUSIBLE_MIN = 0.05
LIFTED_MARGIN = 0.01  # the lifted intent leads the previous top reading by this much
_LABEL = re.compile(r"[a-z_]+")


class LlmIntentReader:
    """Lifts the intent an LLM names to the top of the classifier's ranking."""

    def __init__(self, chat: BaseChatModel) -> None:
        self.chat = chat
        self.template = load_chat(*INTENT_PROMPT)
        self.asked = 0
        self.changed = 0
        self.failed = 0
        self._lock = threading.Lock()  # questions are read on many threads

    def label(self, text: str) -> str | None:
        """The LLM's label for a message, or None when it gave no usable one."""
        messages = self.template.format_messages(question=json.dumps(text, ensure_ascii=False))
        try:
            reply = self.chat.invoke(messages).content
        except Exception:  # a time-out or an endpoint failure: the classifier's reading stands
            with self._lock:
                self.failed += 1
            return None
        found = _LABEL.search(str(reply).strip().lower())
        return found.group(0) if found else None

    def revise(self, text: str, understanding: Understanding) -> Understanding:
        """The understanding with the LLM's intent lifted to the top, when plausible."""
        with self._lock:
            self.asked += 1
        probabilities = dict(understanding.ranked)
        label = self.label(text)
        if label is None or label == understanding.intent:
            return understanding
        if probabilities.get(label, 0.0) < PLAUSIBLE_MIN:
            return understanding
        if label == "chitchat" and understanding.intent in ESCALATING_INTENTS:
            return understanding  # a vote never silences a message a person should read
        with self._lock:
            self.changed += 1
        probabilities[label] = understanding.ranked[0][1] + LIFTED_MARGIN
        total = sum(probabilities.values())
        ranked = sorted(((i, p / total) for i, p in probabilities.items()), key=lambda x: -x[1])
        return understanding.model_copy(update={"intent": label, "ranked": ranked})

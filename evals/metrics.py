"""Quality and speed metrics over evaluated questions."""

from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import BaseModel, Field


class EvalMetrics(BaseModel):
    questions: int
    action_accuracy: float
    fact_accuracy: float
    fact_questions: int
    escalation_precision: float
    escalation_recall: float
    leaks: int
    latency_ms_p50: float
    latency_ms_p95: float
    # Per composer that answered ("grounded", "llm"): answers, and facts right among the fact
    # questions it answered; with an LLM configured, `copilot eval` adds what the LLM path did.
    composers: dict[str, dict[str, Any]] = Field(default_factory=dict)


def contains(answer: str, needle: str) -> bool:
    """Case-insensitive substring match, as the facts checker reads it."""
    return needle.casefold() in answer.casefold()


def score(rows: list[dict[str, Any]]) -> EvalMetrics:
    """Metrics over rows of {"expect": ..., "result": ...}."""
    n = len(rows)
    actions_ok = sum(r["result"]["action"] == r["expect"]["action"] for r in rows)
    with_facts = [r for r in rows if r["expect"].get("facts")]
    facts_ok = sum(
        r["result"]["action"] == "answer"
        and all(contains(r["result"]["answer"], f) for f in r["expect"]["facts"])
        for r in with_facts
    )
    predicted = [r["result"]["action"] == "escalate" for r in rows]
    expected = [r["expect"]["action"] == "escalate" for r in rows]
    true_pos = sum(p and e for p, e in zip(predicted, expected, strict=True))
    leaks = sum(
        any(contains(r["result"]["answer"], f) for f in r["expect"].get("forbid", [])) for r in rows
    )
    latencies = [r["result"]["latency_ms"] for r in rows] or [0.0]
    composers: dict[str, dict[str, Any]] = {}
    for name in sorted({r["result"].get("composer", "grounded") for r in rows}):
        answered = [
            r
            for r in rows
            if r["result"]["action"] == "answer" and r["result"].get("composer", "grounded") == name
        ]
        facts = [r for r in answered if r["expect"].get("facts")]
        right = sum(
            all(contains(r["result"]["answer"], f) for f in r["expect"]["facts"]) for r in facts
        )
        composers[name] = {
            "answers": len(answered),
            "fact_questions": len(facts),
            "fact_accuracy": round(right / len(facts), 4) if facts else None,
        }
    return EvalMetrics(
        questions=n,
        action_accuracy=round(actions_ok / n, 4) if n else 0.0,
        fact_accuracy=round(facts_ok / len(with_facts), 4) if with_facts else 1.0,
        fact_questions=len(with_facts),
        escalation_precision=round(true_pos / sum(predicted), 4) if sum(predicted) else 1.0,
        escalation_recall=round(true_pos / sum(expected), 4) if sum(expected) else 1.0,
        leaks=leaks,
        latency_ms_p50=round(float(np.percentile(latencies, 50)), 1),
        latency_ms_p95=round(float(np.percentile(latencies, 95)), 1),
        composers=composers,
    )

"""What the HTML report tabulates: metrics per group, per-class scores, misses by cause."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from pydantic import BaseModel, Field

from copilot.understand.features import detect_language
from evals.metrics import EvalMetrics, contains, score

ACTIONS = ("answer", "escalate", "ignore")
NO_VALUE = "(none)"  # a row without the grouping field

Row = dict[str, Any]


class GroupScore(BaseModel):
    """The headline metrics over one slice of the rows."""

    by: str  # "all", "language", "case", "source_group"
    name: str
    metrics: EvalMetrics
    # Precision and recall over zero escalations are vacuous: the report shows a dash then.
    predicted_escalations: int
    expected_escalations: int


class ClassScore(BaseModel):
    """Precision, recall and F1 of one label; None where the ratio has no denominator."""

    label: str
    precision: float | None
    recall: float | None
    f1: float | None
    support: int  # rows expected to carry the label
    predicted: int  # rows that got it


class Miss(BaseModel):
    """A wrong row and what went wrong, read off the row itself."""

    cause: str
    row: Row
    missing_facts: list[str] = Field(default_factory=list)
    leaked: list[str] = Field(default_factory=list)


class MissGroup(BaseModel):
    """The misses sharing one cause."""

    cause: str
    misses: list[Miss]


def language_of(row: Row) -> str:
    """The question's language, as the pipeline's own detector reads its text."""
    return detect_language(str(row["text"]))


def group_scores(rows: Sequence[Row]) -> list[GroupScore]:
    """Metrics over all rows, then per language, per case and per source group (when present)."""
    slices: list[tuple[str, Callable[[Row], str]]] = [
        ("language", language_of),
        ("case", lambda r: str(r.get("case") or NO_VALUE)),
    ]
    if any("source_group" in r for r in rows):
        slices.append(("source_group", lambda r: str(r.get("source_group") or NO_VALUE)))
    groups = [_group_score("all", "all", rows)]
    for by, key in slices:
        members: dict[str, list[Row]] = defaultdict(list)
        for row in rows:
            members[key(row)].append(row)
        groups.extend(_group_score(by, name, members[name]) for name in sorted(members))
    return groups


def _group_score(by: str, name: str, rows: Sequence[Row]) -> GroupScore:
    return GroupScore(
        by=by,
        name=name,
        metrics=score(list(rows)),
        predicted_escalations=sum(r["result"]["action"] == "escalate" for r in rows),
        expected_escalations=sum(r["expect"]["action"] == "escalate" for r in rows),
    )


def intent_pairs(rows: Sequence[Row]) -> tuple[list[str], list[str]]:
    """Expected and got intents of the rows that name an expected intent."""
    labelled = [r for r in rows if r.get("intent")]
    return [str(r["intent"]) for r in labelled], [
        str(r["result"].get("intent") or NO_VALUE) for r in labelled
    ]


def action_pairs(rows: Sequence[Row]) -> tuple[list[str], list[str]]:
    """Expected and got actions of every row."""
    return [r["expect"]["action"] for r in rows], [r["result"]["action"] for r in rows]


def labels_of(expected: Sequence[str], got: Sequence[str], order: Sequence[str] = ()) -> list[str]:
    """The labels in `order` first, then every other label seen, alphabetically."""
    seen = set(expected) | set(got)
    return [x for x in order if x in seen] + sorted(seen - set(order))


def class_scores(
    expected: Sequence[str], got: Sequence[str], labels: Sequence[str]
) -> list[ClassScore]:
    """One-vs-rest precision, recall and F1 of each label."""
    pairs = list(zip(expected, got, strict=True))
    support = Counter(expected)
    predicted = Counter(got)
    hits = Counter(e for e, g in pairs if e == g)
    scores = []
    for label in labels:
        precision = hits[label] / predicted[label] if predicted[label] else None
        recall = hits[label] / support[label] if support[label] else None
        f1 = None
        if precision is not None and recall is not None:
            f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        scores.append(
            ClassScore(
                label=label,
                precision=precision,
                recall=recall,
                f1=f1,
                support=support[label],
                predicted=predicted[label],
            )
        )
    return scores


def macro_f1(scores: Sequence[ClassScore]) -> float:
    """F1 averaged over the labels that have support (a never-predicted one counts as 0)."""
    supported = [s.f1 or 0.0 for s in scores if s.support]
    return sum(supported) / len(supported) if supported else 0.0


def confusion(
    expected: Sequence[str], got: Sequence[str], labels: Sequence[str]
) -> np.ndarray[Any, np.dtype[np.int64]]:
    """Counts with expected labels as rows and got labels as columns."""
    index = {label: i for i, label in enumerate(labels)}
    matrix = np.zeros((len(labels), len(labels)), dtype=np.int64)
    for e, g in zip(expected, got, strict=True):
        matrix[index[e], index[g]] += 1
    return matrix


# Details that differ between otherwise equal reasons: "(best intent x at 0.41)", id lists.
_REASON_DETAIL = re.compile(r"\s*\(.*$|:\s*\[.*$")


def reason_kind(reason: str | None) -> str:
    """An escalation reason without its row's details: 'intent: human', 'unclear message'."""
    if not reason:
        return "no reason given"
    head = _REASON_DETAIL.sub("", reason).strip()
    prefix, _, rest = head.partition(": ")
    if rest and prefix in {"intent", "guard"}:
        # The intent or the guard's check is the kind; what follows it is this row's detail.
        return f"{prefix}: {rest.split(':', 1)[0]}"
    return prefix


def miss_of(row: Row) -> Miss | None:
    """Why the row is wrong (a leak, the wrong action, a missing fact), or None when it is right."""
    expect, result = row["expect"], row["result"]
    answer = str(result.get("answer", ""))
    got, wanted = result["action"], expect["action"]
    leaked = [f for f in expect.get("forbid", []) if contains(answer, f)]
    if leaked:
        return Miss(cause="leak: a forbidden string in the answer", row=row, leaked=leaked)
    read_as = result.get("intent") or NO_VALUE
    if got != wanted:
        if got == "escalate":
            cause = f"escalated, should {wanted}: {reason_kind(result.get('reason'))}"
        else:
            cause = f"{_past(got)}, should {wanted}: read as {read_as}"
        return Miss(cause=cause, row=row)
    missing = [f for f in expect.get("facts") or [] if not contains(answer, f)]
    if got == "answer" and missing:
        return Miss(cause="answered without the expected fact", row=row, missing_facts=missing)
    return None


def _past(action: str) -> str:
    return {"answer": "answered", "ignore": "ignored", "escalate": "escalated"}[action]


def group_misses(rows: Sequence[Row]) -> list[MissGroup]:
    """The wrong rows grouped by cause, the largest group first."""
    by_cause: dict[str, list[Miss]] = defaultdict(list)
    for row in rows:
        miss = miss_of(row)
        if miss is not None:
            by_cause[miss.cause].append(miss)
    ordered = sorted(by_cause.items(), key=lambda item: (-len(item[1]), item[0]))
    return [MissGroup(cause=cause, misses=misses) for cause, misses in ordered]

"""`copilot eval --report`: one self-contained HTML page of metrics, per-class scores and misses."""

from __future__ import annotations

import base64
import html
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from evals.breakdown import (
    ACTIONS,
    ClassScore,
    GroupScore,
    MissGroup,
    Row,
    action_pairs,
    class_scores,
    confusion,
    group_misses,
    group_scores,
    intent_pairs,
    labels_of,
    macro_f1,
)
from evals.metrics import EvalMetrics
from evals.plots import confusion_png, latency_png

DASH = "—"  # a ratio without a denominator
GROUP_TITLES = {"language": "language", "case": "case", "source_group": "source group"}

CSS = """
body { font-family: system-ui, "Noto Sans CJK SC", "WenQuanYi Micro Hei", "PingFang SC",
       "Microsoft YaHei", sans-serif; margin: 0 auto; max-width: 1200px; padding: 24px;
       color: #1d232a; line-height: 1.45; }
h1 { margin-bottom: 4px; } h2 { margin-top: 40px; border-bottom: 2px solid #e3e6ea; }
h3 { margin: 20px 0 6px; font-size: 1.05em; }
.sub, .note { color: #5b6470; font-size: 0.92em; }
nav a { margin-right: 14px; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 18px 0; }
.card { border: 1px solid #e3e6ea; border-radius: 8px; padding: 10px 16px; min-width: 120px; }
.card b { display: block; font-size: 1.6em; } .card span { color: #5b6470; font-size: 0.85em; }
.card.bad b { color: #b00020; }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 0.9em; }
th, td { border: 1px solid #e3e6ea; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f5f7f9; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
tr.all td { font-weight: 600; } tr.sep td { background: #fafbfc; color: #5b6470; }
td.low { color: #b00020; font-weight: 600; }
table.misses { width: 100%; table-layout: fixed; } table.misses td { overflow-wrap: break-word; }
details { margin: 10px 0; } summary { cursor: pointer; font-weight: 600; }
summary .count { color: #b00020; margin-left: 8px; }
img { max-width: 100%; height: auto; display: block; margin: 8px 0; }
.side { display: flex; gap: 32px; flex-wrap: wrap; align-items: flex-start; }
code { background: #f5f7f9; padding: 0 3px; border-radius: 3px; }
"""
LOW_SCORE = 0.8  # per-class figures below this are shown in red
MISS_WIDTHS = (5, 17, 11, 12, 10, 25, 10, 10)  # percent: id, text, case, ..., missing / leaked


def write_report(rows: Sequence[Row], metrics: EvalMetrics, path: Path, *, title: str) -> None:
    """Write the evaluation report: one HTML file, plots embedded as PNG, no external assets."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_report(rows, metrics, title=title), encoding="utf-8")


def render_report(rows: Sequence[Row], metrics: EvalMetrics, *, title: str) -> str:
    """The report's HTML."""
    misses = group_misses(rows)
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    sections = [
        _headline(metrics, misses),
        _groups(group_scores(rows)),
        _intents(rows),
        _actions(rows),
        _misses(misses),
        _latency(rows),
    ]
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_esc(title)}</title><style>{CSS}</style></head>
<body>
<h1>{_esc(title)}</h1>
<div class="sub">{metrics.questions} questions · generated {generated}</div>
<nav><a href="#groups">by group</a><a href="#intents">intents</a><a href="#actions">actions</a><a
href="#misses">misses</a><a href="#latency">latency</a></nav>
{"".join(sections)}
</body></html>
"""


def _esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _ratio(value: float | None) -> str:
    return DASH if value is None else f"{value:.3f}"


def _img(png: bytes, alt: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return f'<img alt="{_esc(alt)}" src="data:image/png;base64,{data}">'


def _table(
    head: Sequence[str],
    body: Sequence[Sequence[str]],
    css: str = "",
    widths: Sequence[int] = (),
) -> str:
    """A table of cells that are already HTML; numeric-looking cells align right."""
    # Widths (percent) keep every group's table in the same columns.
    cols = "".join(f'<col style="width:{w}%">' for w in widths)
    header = "".join(f"<th>{_esc(h)}</th>" for h in head)
    lines = []
    for cells in body:
        lines.append("<tr>" + "".join(_cell(c) for c in cells) + "</tr>")
    return f'<table class="{css}">{cols}<tr>{header}</tr>{"".join(lines)}</table>'


def _cell(content: str) -> str:
    numeric = content.replace(".", "", 1).replace("/", "").replace(" ", "").isdigit()
    return f'<td class="n">{content}</td>' if numeric or content == DASH else f"<td>{content}</td>"


def _card(label: str, value: str, *, bad: bool = False) -> str:
    css = "card bad" if bad else "card"
    return f'<div class="{css}"><b>{_esc(value)}</b><span>{_esc(label)}</span></div>'


def _headline(metrics: EvalMetrics, misses: Sequence[MissGroup]) -> str:
    wrong = sum(len(g.misses) for g in misses)
    facts = f"{round(metrics.fact_accuracy * metrics.fact_questions)}/{metrics.fact_questions}"
    cards = [
        _card("action accuracy", f"{metrics.action_accuracy:.3f}"),
        _card(f"fact accuracy ({facts})", f"{metrics.fact_accuracy:.3f}"),
        _card("escalation precision", f"{metrics.escalation_precision:.3f}"),
        _card("escalation recall", f"{metrics.escalation_recall:.3f}"),
        _card("leaks", str(metrics.leaks), bad=metrics.leaks > 0),
        _card("latency p50", f"{metrics.latency_ms_p50:.0f} ms"),
        _card("latency p95", f"{metrics.latency_ms_p95:.0f} ms"),
        _card("wrong rows", f"{wrong}/{metrics.questions}", bad=wrong > 0),
    ]
    return f'<div class="cards">{"".join(cards)}</div>'


def _groups(groups: Sequence[GroupScore]) -> str:
    head = [
        "group",
        "questions",
        "action acc.",
        "fact acc.",
        "facts",
        "esc. precision",
        "esc. recall",
        "leaks",
        "p50 ms",
        "p95 ms",
    ]
    body: list[str] = []
    previous = ""
    for group in groups:
        if group.by != previous and group.by != "all":
            body.append(
                f'<tr class="sep"><td colspan="{len(head)}">by {GROUP_TITLES[group.by]}</td></tr>'
            )
        previous = group.by
        m = group.metrics
        cells = [
            _esc(group.name),
            str(m.questions),
            _ratio(m.action_accuracy),
            _ratio(m.fact_accuracy if m.fact_questions else None),
            str(m.fact_questions),
            _ratio(m.escalation_precision if group.predicted_escalations else None),
            _ratio(m.escalation_recall if group.expected_escalations else None),
            str(m.leaks),
            f"{m.latency_ms_p50:.0f}",
            f"{m.latency_ms_p95:.0f}",
        ]
        row_class = ' class="all"' if group.by == "all" else ""
        body.append(f"<tr{row_class}>" + "".join(_cell(c) for c in cells) + "</tr>")
    header = "".join(f"<th>{_esc(h)}</th>" for h in head)
    return f"""<h2 id="groups">Metrics by group</h2>
<p class="note">Language is the question text's, as <code>detect_language</code> reads it.
{DASH}: no question of the group expects (or got) that, so the ratio has no denominator.</p>
<table><tr>{header}</tr>{"".join(body)}</table>"""


def _class_table(scores: Sequence[ClassScore], expected: Sequence[str], got: Sequence[str]) -> str:
    def coloured(value: float | None) -> str:
        text = _ratio(value)
        return (
            f'<span class="low">{text}</span>' if value is not None and value < LOW_SCORE else text
        )

    body = [
        [
            _esc(s.label),
            coloured(s.precision),
            coloured(s.recall),
            coloured(s.f1),
            str(s.support),
            str(s.predicted),
        ]
        for s in scores
    ]
    accuracy = sum(e == g for e, g in zip(expected, got, strict=True)) / len(expected)
    body.append(["<b>accuracy</b>", "", "", f"<b>{accuracy:.3f}</b>", str(len(expected)), ""])
    body.append(["<b>macro F1</b>", "", "", f"<b>{macro_f1(scores):.3f}</b>", "", ""])
    return _table(["label", "precision", "recall", "F1", "support", "predicted"], body)


def _intents(rows: Sequence[Row]) -> str:
    expected, got = intent_pairs(rows)
    heading = '<h2 id="intents">Intent reading</h2>'
    if not expected:
        return heading + '<p class="note">No question of this dataset names an expected intent.</p>'
    labels = labels_of(expected, got)
    scores = class_scores(expected, got, labels)
    left_out = len(rows) - len(expected)
    note = f" {left_out} questions name no intent and are left out." if left_out else ""
    plot = confusion_png(confusion(expected, got, labels), labels, title="intents")
    return f"""{heading}
<p class="note">Expected: the question's <code>intent</code>. Got: the result's
<code>intent</code>, the reading the pipeline answered under, else the classifier's best.
Support counts the questions expected to carry the intent, predicted those that got it.{note}</p>
<div class="side"><div>{_class_table(scores, expected, got)}</div>
<div>{_img(plot, "confusion matrix of intents")}</div></div>
<p class="note">Rows are expected, columns got; the colour is the share of the expected row,
red counts are misreadings.</p>"""


def _actions(rows: Sequence[Row]) -> str:
    expected, got = action_pairs(rows)
    heading = '<h2 id="actions">Action</h2>'
    if not expected:
        return heading + '<p class="note">No questions.</p>'
    labels = labels_of(expected, got, ACTIONS)
    scores = class_scores(expected, got, labels)
    plot = confusion_png(confusion(expected, got, labels), labels, title="actions")
    return f"""{heading}
<div class="side"><div>{_class_table(scores, expected, got)}</div>
<div>{_img(plot, "confusion matrix of actions")}</div></div>"""


def _expected_cell(row: Row) -> str:
    expect = row["expect"]
    parts = [f"<b>{_esc(expect['action'])}</b>"]
    if row.get("intent"):
        parts.append(_esc(row["intent"]))
    if expect.get("facts"):
        parts.append("facts: " + ", ".join(_esc(f) for f in expect["facts"]))
    return "<br>".join(parts)


def _got_cell(row: Row) -> str:
    result = row["result"]
    parts = [f"<b>{_esc(result['action'])}</b>"]
    if result.get("intent"):
        parts.append(_esc(result["intent"]))
    return "<br>".join(parts)


def _misses(groups: Sequence[MissGroup]) -> str:
    heading = '<h2 id="misses">Misses by cause</h2>'
    if not groups:
        return heading + '<p class="note">Every question is right.</p>'
    summary = _table(
        ["cause", "questions"],
        [
            [f'<a href="#miss-{i}">{_esc(g.cause)}</a>', str(len(g.misses))]
            for i, g in enumerate(groups)
        ],
    )
    head = ["id", "text", "case", "expected", "got", "answer", "reason", "missing / leaked"]
    details = []
    for i, group in enumerate(groups):
        body = [
            [
                _esc(m.row.get("id", "")),
                _esc(m.row["text"]),
                _esc(m.row.get("case", "")),
                _expected_cell(m.row),
                _got_cell(m.row),
                _esc(m.row["result"].get("answer", "")),
                _esc(m.row["result"].get("reason", "")),
                _esc(", ".join(m.missing_facts or m.leaked)),
            ]
            for m in group.misses
        ]
        details.append(
            f'<details open id="miss-{i}"><summary>{_esc(group.cause)}'
            f'<span class="count">{len(group.misses)}</span></summary>'
            f"{_table(head, body, 'misses', MISS_WIDTHS)}</details>"
        )
    return f"""{heading}
<p class="note">Each wrong question under one cause, read off the row: a leak first, then a
wrong action (with the escalation reason's kind, or the intent it was read as), then an
answer lacking an expected fact.</p>
{summary}{"".join(details)}"""


def _latency(rows: Sequence[Row]) -> str:
    by_action: dict[str, list[float]] = defaultdict(list)
    for row in rows:
        by_action[row["result"]["action"]].append(float(row["result"].get("latency_ms", 0.0)))
    every = [x for values in by_action.values() for x in values] or [0.0]
    p50, p95 = (float(np.percentile(every, q)) for q in (50, 95))
    ordered = {a: by_action[a] for a in [*ACTIONS, *sorted(set(by_action) - set(ACTIONS))]}
    plot = latency_png(ordered, p50=p50, p95=p95)
    return f"""<h2 id="latency">Latency</h2>
<div class="cards">{_card("p50", f"{p50:.0f} ms")}{_card("p95", f"{p95:.0f} ms")}
{_card("max", f"{max(every):.0f} ms")}</div>
{_img(plot, "latency histogram")}
<p class="note">Per question, through the whole pipeline, as the result's
<code>latency_ms</code> reports it.</p>"""

"""The show's review as one HTML file: plots embedded as PNG, no external assets."""

from __future__ import annotations

import base64
import html
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from copilot.charts import cjk_font, png, style
from copilot.hostprompts.review import ShowReview, TopicSummary, latency_percentiles
from transcripts.replay import clock

ACTION_COLOURS = {"answer": "#2f7d4f", "escalate": "#c0552b", "ignore": "#b8bec6"}
STAGE_COLOURS = ("#e8f0fb", "#fbefe3", "#eaf6ee", "#f4eafb", "#fbf7e3", "#e9f5f7")
DASH = "—"
CSS = """
body { font-family: system-ui, "Noto Sans CJK SC", "WenQuanYi Micro Hei", "PingFang SC",
       "Microsoft YaHei", sans-serif; margin: 0 auto; max-width: 1200px; padding: 24px;
       color: #1d232a; line-height: 1.45; }
h1 { margin-bottom: 4px; } h2 { margin-top: 36px; border-bottom: 2px solid #e3e6ea; }
.sub { color: #5b6470; font-size: 0.92em; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 18px 0; }
.card { border: 1px solid #e3e6ea; border-radius: 8px; padding: 10px 16px; min-width: 120px; }
.card b { display: block; font-size: 1.6em; } .card span { color: #5b6470; font-size: 0.85em; }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 0.9em; width: 100%; }
th, td { border: 1px solid #e3e6ea; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f5f7f9; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
.flag { color: #b00020; font-weight: 600; } .ok { color: #2f7d4f; }
.samples { color: #5b6470; font-size: 0.88em; }
img { max-width: 100%; height: auto; display: block; margin: 8px 0; }
"""


def write_review(review: ShowReview, path: Path) -> None:
    """Write the review to `path` (folders created)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_review(review), "utf-8")


def render_review(review: ShowReview) -> str:
    """The review page."""
    questions = review.questions
    actions = Counter(q.action for q in questions)
    latency = latency_percentiles(questions)
    unanswered = [t for t in review.topics if t.answered_at is None and not t.sources_answer]
    cards = [
        ("questions 提问", str(len(questions))),
        ("viewers 观众", str(len({q.viewer_id for q in questions}))),
        ("answered 自动回答", str(actions.get("answer", 0))),
        ("handed over 转人工", str(actions.get("escalate", 0))),
        ("prompts 提醒主播", str(sum(1 for t in review.topics if t.prompted_at is not None))),
        ("unanswered topics 未回答", str(len(unanswered))),
        ("answer p50 / p95 ms", f"{_num(latency['p50'])} / {_num(latency['p95'])}"),
    ]
    body = [
        f"<h1>{_esc(review.title)} · 直播复盘 Show review</h1>",
        f'<p class="sub">room {_esc(review.room_id)} · stream 0:00–{clock(review.end_at)}</p>',
        '<div class="cards">'
        + "".join(
            f"<div class='card'><b>{_esc(v)}</b><span>{_esc(k)}</span></div>" for k, v in cards
        )
        + "</div>",
        "<h2>每分钟提问 Questions per minute</h2>",
        '<p class="sub">Bars by what the copilot did; bands mark the product on stage.</p>',
        _img(_per_minute_png(review), "questions per minute over the stream"),
        "<h2>热门话题 Top topics</h2>",
        _topics_table(review.topics, review.product_names),
        "<h2>未回答的话题 Unanswered topics</h2>",
        '<p class="sub">Asked by several viewers, not answered by the shop\'s sources nor on air: '
        "what to cover next time.</p>",
        _topics_table(unanswered, review.product_names) if unanswered else "<p>None.</p>",
        "<h2>转人工原因 Escalations by reason</h2>",
        _img(_escalations_png(review.escalations), "escalations by reason")
        if review.escalations
        else "<p>No tickets.</p>",
    ]
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{_esc(review.title)} · Show review</title><style>{CSS}</style></head>"
        f"<body>{''.join(body)}</body></html>\n"
    )


def _topics_table(topics: list[TopicSummary], names: dict[str, str]) -> str:
    head = [
        "话题 Topic (as asked)",
        "viewers",
        "intent",
        "product",
        "asked",
        "prompted",
        "host answered 主播回答",
        "sources",
    ]
    rows = []
    for t in topics:
        answered = (
            f"{clock(t.answered_at)}: {_esc(t.answered_by)}"
            if t.answered_at is not None
            else '<span class="flag">not on air 未回答</span>'
        )
        sources = "answer" if t.sources_answer else '<span class="flag">cannot answer</span>'
        samples = " · ".join(_esc(s) for s in t.samples[1:4])
        cells = [
            f"{_esc(t.wording)}<div class='samples'>{samples}</div>",
            f'<td class="n">{t.viewers}</td>',
            _esc(t.intent),
            _esc(names.get(t.product_sku, t.product_sku) if t.product_sku else DASH),
            f"{clock(t.first_at)}–{clock(t.last_at)}",
            clock(t.prompted_at) if t.prompted_at is not None else DASH,
            answered,
            sources,
        ]
        rows.append(
            "<tr>" + "".join(c if c.startswith("<td") else f"<td>{c}</td>" for c in cells) + "</tr>"
        )
    header = "".join(f"<th>{_esc(h)}</th>" for h in head)
    return f"<table><tr>{header}</tr>{''.join(rows)}</table>"


def _per_minute_png(review: ShowReview) -> bytes:
    minutes = int(review.end_at // 60) + 1
    counts = {a: np.zeros(minutes) for a in ACTION_COLOURS}
    for q in review.questions:
        if q.action in counts:
            counts[q.action][min(int(q.at // 60), minutes - 1)] += 1
    with style():
        figure = Figure(figsize=(11, 3.6))
        axes = figure.add_subplot()
        top = max(1.0, float(np.sum(list(counts.values()), axis=0).max()))
        for i, span in enumerate(review.stage):
            colour = STAGE_COLOURS[i % len(STAGE_COLOURS)]
            axes.axvspan(span.start / 60, span.end / 60, color=colour, zorder=0)
            # Without a CJK font a Chinese name would print as boxes: the SKU then.
            name = review.product_names.get(span.sku, span.sku) if cjk_font() else span.sku
            axes.text((span.start + span.end) / 120, top * 1.02, name[:14], ha="center", fontsize=7)
        bottom = np.zeros(minutes)
        x = np.arange(minutes) + 0.5
        for action, colour in ACTION_COLOURS.items():
            axes.bar(x, counts[action], bottom=bottom, width=0.85, color=colour, label=action)
            bottom += counts[action]
        axes.set_xlim(0, minutes)
        axes.set_ylim(0, top * 1.12)
        axes.set_xlabel("stream minute")
        axes.set_ylabel("questions")
        axes.legend(loc="upper right", fontsize=8, frameon=False)
        figure.tight_layout()
        return png(figure)


def _escalations_png(escalations: Counter[str]) -> bytes:
    ranked = escalations.most_common(12)[::-1]
    with style():
        figure = Figure(figsize=(8, 0.35 * len(ranked) + 1))
        axes = figure.add_subplot()
        axes.barh([r for r, _ in ranked], [n for _, n in ranked], color="#c0552b")
        for y, (_, n) in enumerate(ranked):
            axes.text(n, y, f" {n}", va="center", fontsize=8)
        axes.set_xlabel("tickets")
        figure.tight_layout()
        return png(figure)


def _img(data: bytes, alt: str) -> str:
    encoded = base64.b64encode(data).decode("ascii")
    return f'<img alt="{_esc(alt)}" src="data:image/png;base64,{encoded}">'


def _esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _num(value: float | None) -> str:
    return DASH if value is None else f"{value:.0f}"

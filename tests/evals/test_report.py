"""The HTML evaluation report: per-class figures, misses by cause, escaping, embedded plots."""

from __future__ import annotations

import base64
import io
import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from typer.testing import CliRunner

from copilot import cli
from copilot.runtime import Copilot
from evals.breakdown import class_scores, group_scores, miss_of, reason_kind
from evals.metrics import score
from evals.report import write_report
from tests.conftest import MINI

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
# The mini dataset's questions carry no labels; these are written for the report's test.
MINI_LABELS = [
    ("price_stock", "price_stock"),
    ("price_stock", "this_one"),
    ("promotion", "host_said"),
    ("order_status", "order_status"),
    ("order_status", "other_order"),
    ("chitchat", "chitchat"),
    ("after_sales", "after_sales"),
    ("policy", "policy"),
    ("promotion", "host_said"),
    ("product_info", "product_info"),
]


class _Page(HTMLParser):
    """The cells of every table row (as text) and every image source."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.images: list[str] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in {"td", "th"}:
            self._cell = []
        elif tag == "img":
            self.images.append(dict(attrs).get("src") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in {"td", "th"} and self._cell is not None:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text("utf-8"))
    return page


def _row(
    text: str,
    intent: str,
    expect: dict[str, Any],
    action: str,
    got_intent: str,
    answer: str = "",
    reason: str | None = None,
    latency_ms: float = 50.0,
) -> dict[str, Any]:
    result: dict[str, Any] = {
        "action": action,
        "answer": answer,
        "intent": got_intent,
        "latency_ms": latency_ms,
    }
    if reason is not None:
        result["reason"] = reason
    return {"text": text, "intent": intent, "case": intent, "expect": expect, "result": result}


HAND_ROWS = [
    _row(
        "龙井多少钱",
        "price_stock",
        {"action": "answer", "facts": ["128"]},
        "answer",
        "price_stock",
        "¥128",
    ),
    _row(
        "<b>这款</b>多重",
        "product_info",
        {"action": "answer", "facts": ["250g"]},
        "answer",
        "price_stock",
        "¥99",
    ),
    _row("产地是哪里", "product_info", {"action": "answer"}, "answer", "product_info", "福建安溪"),
    _row(
        "怎么泡",
        "product_info",
        {"action": "answer"},
        "escalate",
        "policy",
        reason="unclear message (best intent policy at 0.31)",
        latency_ms=900.0,
    ),
    _row(
        "能叠加吗",
        "policy",
        {"action": "answer"},
        "escalate",
        "policy",
        reason="unclear message (best intent policy at 0.28)",
    ),
    _row("I want a person", "human", {"action": "escalate"}, "answer", "price_stock", "It is ¥99."),
    _row(
        "订单号SF1",
        "order_status",
        {"action": "escalate", "forbid": ["SF1999"]},
        "answer",
        "order_status",
        "SF1999 在路上",
    ),
    _row("666", "chitchat", {"action": "ignore"}, "ignore", "chitchat"),
]


@pytest.fixture
def hand_report(tmp_path: Path) -> Path:
    path = tmp_path / "report.html"
    write_report(HAND_ROWS, score(HAND_ROWS), path, title="hand <rows>")
    return path


def test_per_intent_figures(hand_report: Path) -> None:
    rows = {r[0]: r for r in _parse(hand_report).rows if r}
    # price_stock was given to three rows (龙井多少钱, <b>这款</b>多重, I want a person): one right.
    _, precision, recall, f1, support, predicted = rows["price_stock"]
    assert (precision, recall, support, predicted) == (f"{1 / 3:.3f}", "1.000", "1", "3")
    assert f1 == f"{2 * (1 / 3) / (1 / 3 + 1):.3f}"
    # product_info: three expected, one got it, and that one is right.
    assert rows["product_info"][1:] == ["1.000", f"{1 / 3:.3f}", "0.500", "3", "1"]
    # An intent never expected has no recall.
    scores = {s.label: s for s in class_scores(["a", "a"], ["a", "b"], ["a", "b"])}
    assert scores["b"].recall is None and scores["b"].precision == 0.0
    assert rows["escalate"][1:3] == ["0.000", "0.000"]  # two escalations, both wrong


def test_misses_grouped_by_cause(hand_report: Path) -> None:
    page = hand_report.read_text("utf-8")
    causes = {r[0]: r[1] for r in _parse(hand_report).rows if len(r) == 2}
    assert causes["escalated, should answer: unclear message"] == "2"
    assert causes["answered, should escalate: read as price_stock"] == "1"
    assert causes["answered without the expected fact"] == "1"
    assert causes["leak: a forbidden string in the answer"] == "1"
    # The leak's row names what leaked; the fact miss names the missing fact.
    cells = [r for r in _parse(hand_report).rows if len(r) == 8]
    assert any(r[1] == "订单号SF1" and r[-1] == "SF1999" for r in cells)
    assert any(r[1] == "<b>这款</b>多重" and r[-1] == "250g" for r in cells)
    assert "666" not in {r[1] for r in cells}  # right rows are no misses
    assert "hand &lt;rows&gt;" in page


def test_texts_are_escaped(hand_report: Path) -> None:
    page = hand_report.read_text("utf-8")
    assert "&lt;b&gt;这款&lt;/b&gt;多重" in page
    assert "<b>这款" not in page


def test_plots_are_embedded_pngs(hand_report: Path) -> None:
    page = hand_report.read_text("utf-8")
    images = _parse(hand_report).images
    assert len(images) == 3  # intents, actions, latency
    for src in images:
        prefix, data = src.split(",", 1)
        assert prefix == "data:image/png;base64"
        png = base64.b64decode(data, validate=True)
        assert png.startswith(PNG_MAGIC)
        with Image.open(io.BytesIO(png)) as image:
            assert image.format == "PNG" and image.width > 200
    assert "http://" not in page and "https://" not in page and "<link" not in page


@pytest.mark.parametrize(
    ("reason", "kind"),
    [
        ("unclear message (best intent policy at 0.31)", "unclear message"),
        ("intent: complaint", "intent: complaint"),
        (
            "guard: numbers not in any cited source: ['99']",
            "guard: numbers not in any cited source",
        ),
        ("order ids not in the viewer's account: ['DD1']", "order ids not in the viewer's account"),
        ("sources do not answer", "sources do not answer"),
        (None, "no reason given"),
    ],
)
def test_reason_kind(reason: str | None, kind: str) -> None:
    assert reason_kind(reason) == kind


def test_ignored_miss_and_source_groups() -> None:
    ignored = _row("这个多少钱", "price_stock", {"action": "answer"}, "ignore", "chitchat")
    miss = miss_of(ignored)
    assert miss is not None and miss.cause == "ignored, should answer: read as chitchat"
    grouped = [{**ignored, "source_group": "jddc"}, HAND_ROWS[0]]
    names = {(g.by, g.name) for g in group_scores(grouped)}
    assert {("source_group", "jddc"), ("source_group", "(none)"), ("language", "zh")} <= names


def test_cli_writes_the_report(
    sqlite_copilot: Copilot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "report-mini"
    folder.mkdir()
    for name in ("products.jsonl", "orders.jsonl", "transcript.jsonl"):
        (folder / name).write_text((MINI / name).read_text("utf-8"), encoding="utf-8")
    questions = [
        json.loads(line) for line in (MINI / "questions.jsonl").read_text("utf-8").splitlines()
    ]
    labelled = [
        {**q, "intent": i, "case": c} for q, (i, c) in zip(questions, MINI_LABELS, strict=True)
    ]
    (folder / "questions.jsonl").write_text(
        "".join(json.dumps(q, ensure_ascii=False) + "\n" for q in labelled), encoding="utf-8"
    )
    # The session's loaded Copilot, not a second set of models.
    monkeypatch.setattr(cli, "_copilot", lambda: sqlite_copilot)
    report, out = tmp_path / "out" / "report.html", tmp_path / "rows.jsonl"
    run = CliRunner().invoke(
        cli.app, ["eval", str(folder), "--report", str(report), "--out", str(out)]
    )
    assert run.exit_code == 0, run.output
    assert json.loads(run.stdout)["questions"] == 10
    rows = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    intents = {r["intent"] for r in rows} | {r["result"]["intent"] for r in rows}
    labels = {r[0] for r in _parse(report).rows if r}
    assert intents <= labels
    assert "copilot eval report-mini" in report.read_text("utf-8")

"""`copilot eval` end to end: the CLI on a dataset folder, metrics and per-question output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from evals.metrics import score
from tests.conftest import MINI


def test_metrics() -> None:
    rows = [
        {
            "expect": {"action": "answer", "facts": ["99"]},
            "result": {"action": "answer", "answer": "¥99", "latency_ms": 10},
        },
        {
            "expect": {"action": "escalate", "forbid": ["SF1"]},
            "result": {"action": "answer", "answer": "SF1 ...", "latency_ms": 30},
        },
        {
            "expect": {"action": "ignore"},
            "result": {"action": "ignore", "answer": "", "latency_ms": 5},
        },
    ]
    metrics = score(rows)
    assert metrics.action_accuracy == round(2 / 3, 4)
    assert metrics.fact_accuracy == 1.0 and metrics.leaks == 1
    assert metrics.escalation_recall == 0.0 and metrics.latency_ms_p50 == 10
    assert metrics.composers == {
        "grounded": {"answers": 2, "fact_questions": 1, "fact_accuracy": 1.0}
    }


def test_metrics_by_composer() -> None:
    rows = [
        {
            "expect": {"action": "answer", "facts": [fact]},
            "result": {"action": "answer", "answer": said, "latency_ms": 1, "composer": by},
        }
        for fact, said, by in [
            ("128", "¥128", "llm"),
            ("128", "¥99", "llm"),
            ("5", "5", "grounded"),
        ]
    ]
    by_composer = score(rows).composers
    assert by_composer["llm"] == {"answers": 2, "fact_questions": 2, "fact_accuracy": 0.5}
    assert by_composer["grounded"]["fact_accuracy"] == 1.0


def test_cli_eval_and_ask(home: Path, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "COPILOT_HOME": str(home),
        "COPILOT_DATABASE_URL": f"sqlite:///{tmp_path}/cli.db",
    }
    copilot = [sys.executable, "-m", "copilot.cli"]
    out = tmp_path / "results.jsonl"
    run = subprocess.run(
        [*copilot, "eval", str(MINI), "--out", str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    metrics = json.loads(run.stdout)
    assert metrics["questions"] == 10 and metrics["leaks"] == 0
    assert metrics["action_accuracy"] >= 0.9 and metrics["fact_accuracy"] >= 0.9
    rows = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert len(rows) == 10 and all("result" in r for r in rows)
    # The next command sees the same room (state lives under COPILOT_HOME).
    asked = subprocess.run(
        [*copilot, "ask", "mini", "龙井多少钱", "--viewer", "alice", "--at", "30"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    assert "¥128" in json.loads(asked.stdout)["answer"]
    bad = subprocess.run(
        [*copilot, "ask", "nowhere", "hi", "--viewer", "a"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert bad.returncode == 2 and "unknown room" in bad.stderr

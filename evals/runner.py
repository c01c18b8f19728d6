"""`copilot eval`: load a dataset folder into a fresh room and put every question through."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from copilot.errors import InvalidInput
from copilot.loading import load_kb_lines, load_order_lines, load_transcript_lines, reset_room
from copilot.pipeline import ask
from copilot.runtime import Copilot
from evals.metrics import EvalMetrics, score

DATASET_FILES = ("products.jsonl", "orders.jsonl", "transcript.jsonl", "questions.jsonl")


def load_dataset(copilot: Copilot, folder: Path, room_id: str) -> None:
    """Replace the room with the folder's catalog, orders and transcript (one transaction)."""
    missing = [f for f in DATASET_FILES if not (folder / f).exists()]
    if missing:
        raise InvalidInput(f"dataset folder {folder} lacks {', '.join(missing)}")
    with copilot.db.session_scope() as session:
        reset_room(session, room_id)
        load_kb_lines(session, room_id, _lines(folder / "products.jsonl"))
        load_order_lines(session, _lines(folder / "orders.jsonl"))
        load_transcript_lines(session, room_id, _lines(folder / "transcript.jsonl"))


def _lines(path: Path) -> list[str]:
    return path.read_text("utf-8").splitlines()


def ask_all(copilot: Copilot, folder: Path) -> list[dict[str, Any]]:
    """Load the folder into a fresh room and ask every question: one row (with its result) each."""
    room_id = folder.resolve().name
    load_dataset(copilot, folder, room_id)
    copilot.warm_up()
    with copilot.db.session_scope() as session:
        copilot.indexes.warm(session, room_id)
    rows: list[dict[str, Any]] = []
    for line in _lines(folder / "questions.jsonl"):
        if not line.strip():
            continue
        question = json.loads(line)
        result = ask(
            copilot,
            room_id=room_id,
            viewer_id=question["viewer_id"],
            text=question["text"],
            at=question.get("at"),
        )
        rows.append({**question, "result": result.model_dump(exclude_none=True)})
    return rows


def write_rows(rows: list[dict[str, Any]], out: Path) -> None:
    """Write the rows as JSONL, one question a line."""
    out.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )


def run(copilot: Copilot, folder: Path, out: Path | None = None) -> EvalMetrics:
    """Evaluate every question of the folder; optionally write one JSON line per question."""
    rows = ask_all(copilot, folder)
    if out is not None:
        write_rows(rows, out)
    return score(rows)

"""How well the intent reading generalises: whole writing styles held out, and real wording.

    python -m evals.intents [--out FILE.json]

1. Leave-one-author-out: the classifier is fitted on every example file but one "author" (a
   style of writing) and read on that one, for each author in turn. Row-level folds would
   put near-paraphrases of a test sentence in its training data; a held-out style does not.
2. Real wording: fitted on all the examples, read on every labelled question of the
   evaluation folders given by --dataset (by default the realword_* sets, real shoppers'
   messages), per source corpus when the rows name one.

Both report intent accuracy, macro F1, and the accuracy of the action the intent implies
(answer / escalate / ignore), which is what a viewer feels.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from copilot.config import Settings
from copilot.runtime import Copilot
from copilot.understand import ANSWERABLE_INTENTS, IntentClassifier
from copilot.understand.classifier import example_rows
from evals.breakdown import class_scores, labels_of, macro_f1
from knowledge.embedder import Embedder

DATASETS = Path(__file__).with_name("datasets")


def action_of(intent: str) -> str:
    """The action an intent leads to on its own (before retrieval has its say)."""
    if intent == "chitchat":
        return "ignore"
    return "answer" if intent in ANSWERABLE_INTENTS else "escalate"


def figures(expected: list[str], got: list[str]) -> dict[str, Any]:
    """Intent accuracy, macro F1 and implied-action accuracy of one set of readings."""
    n = len(expected)
    pairs = list(zip(expected, got, strict=True))
    confused = Counter(f"{e} -> {g}" for e, g in pairs if e != g)
    return {
        "n": n,
        "intent_accuracy": round(sum(e == g for e, g in pairs) / n, 3) if n else None,
        "macro_f1": round(macro_f1(class_scores(expected, got, labels_of(expected, got))), 3)
        if n
        else None,
        "action_accuracy": round(sum(action_of(e) == action_of(g) for e, g in pairs) / n, 3)
        if n
        else None,
        "most_confused": confused.most_common(8),
    }


def read(classifier: IntentClassifier, texts: list[str]) -> list[str]:
    return [next(iter(classifier.predict(t))) for t in texts]


def held_out_authors(embedder: Embedder, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Fit without each author in turn and read that author's examples."""
    by_author: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_author[row["author"]].append(row)
    report: dict[str, Any] = {}
    expected_all: list[str] = []
    got_all: list[str] = []
    for author, held in sorted(by_author.items()):
        train = [r for r in rows if r["author"] != author]
        classifier = IntentClassifier(embedder, rows=train)
        known = {r["intent"] for r in train}
        test = [r for r in held if r["intent"] in known]
        got = read(classifier, [r["text"] for r in test])
        expected = [r["intent"] for r in test]
        report[author] = figures(expected, got)
        expected_all += expected
        got_all += got
    report["all"] = figures(expected_all, got_all)
    return report


def real_wording(
    embedder: Embedder, rows: list[dict[str, Any]], folders: list[Path]
) -> dict[str, Any]:
    """Fit on every example and read the labelled questions of real-wording datasets."""
    classifier = IntentClassifier(embedder, rows=rows)
    report: dict[str, Any] = {}
    for folder in folders:
        questions = [
            json.loads(line)
            for line in (folder / "questions.jsonl").read_text("utf-8").splitlines()
            if line.strip() and "intent" in json.loads(line)  # rows labelled with an intent
        ]
        got = read(classifier, [q["text"] for q in questions])
        entry = figures([q["intent"] for q in questions], got)
        groups: dict[str, tuple[list[str], list[str]]] = defaultdict(lambda: ([], []))
        for question, reading in zip(questions, got, strict=True):
            group = groups[str(question.get("source_group", "unknown"))]
            group[0].append(question["intent"])
            group[1].append(reading)
        entry["by_source"] = {g: figures(e, r) for g, (e, r) in sorted(groups.items())}
        report[folder.name] = entry
    return report


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, action="append", help="labelled dataset folder")
    parser.add_argument("--out", type=Path, help="also write the report (JSON) here")
    args = parser.parse_args(argv)
    folders = args.dataset or sorted(DATASETS.glob("realword_*"))
    embedder = Copilot(Settings()).embedder  # the configured model, its vectors cached on disk
    rows = example_rows()
    report = {
        "examples": len(rows),
        "authors": dict(Counter(r["author"] for r in rows)),
        "held_out_authors": held_out_authors(embedder, rows),
        "real_wording": real_wording(embedder, rows, [f for f in folders if f.is_dir()]),
    }
    text = json.dumps(report, ensure_ascii=False, indent=2)
    if args.out:
        args.out.write_text(text + "\n", "utf-8")
    print(text)


if __name__ == "__main__":
    main()

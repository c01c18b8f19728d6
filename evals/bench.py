"""Speed benchmark: per-question latency and the cold start of `copilot ask`.

    python -m evals.bench [DATASET] [--runs N]

Prints one JSON object. Latency percentiles are medians over `runs` passes of the dataset;
the cold start is the median wall time of `copilot ask` in a fresh process (models and
caches on disk, nothing in memory), which is what a script calling the CLI pays.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from copilot.config import Settings
from copilot.runtime import Copilot
from evals.runner import run

DEFAULT_DATASET = Path(__file__).parent / "datasets" / "demo"


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("dataset", nargs="?", type=Path, default=DEFAULT_DATASET)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        settings = Settings(home=Path(home))
        copilot = Copilot(settings)
        started = time.perf_counter()
        first = run(copilot, args.dataset)  # also fills the on-disk caches
        first_pass_s = time.perf_counter() - started
        # A fresh Copilot per pass: nothing remembered in memory, as in a new server process.
        passes = [first] + [run(Copilot(settings), args.dataset) for _ in range(args.runs - 1)]
        room = args.dataset.resolve().name
        command = [
            sys.executable,
            "-m",
            "copilot.cli",
            "ask",
            room,
            "这个多少钱",
            "--viewer",
            "v001",
        ]
        env = {"COPILOT_HOME": home, "PATH": "/usr/bin:/bin"}
        cold: list[float] = []
        for _ in range(args.runs):
            started = time.perf_counter()
            subprocess.run(command, env=env, check=True, capture_output=True)
            cold.append(time.perf_counter() - started)
    print(
        json.dumps(
            {
                "dataset": str(args.dataset),
                "questions": first.questions,
                "runs": args.runs,
                "latency_ms_p50": statistics.median(p.latency_ms_p50 for p in passes),
                "latency_ms_p95": statistics.median(p.latency_ms_p95 for p in passes),
                "first_pass_with_empty_caches_s": round(first_pass_s, 1),
                "cli_ask_cold_start_s": round(statistics.median(cold), 2),
                "cli_ask_cold_start_runs_s": [round(c, 2) for c in cold],
            }
        )
    )


if __name__ == "__main__":
    main()

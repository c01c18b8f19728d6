"""How fast host prompts cluster: questions/s sustained, and the latency each one adds.

`python -m evals.prompt_bench [--rate 200] [--seconds 120] [--runs 3]` builds a simulated
chat stream (`evals/prompt_stream.py`, every kind of message) of `rate x seconds` questions
in one room, then for each run:
- flat out: every question through the prompt worker's batches as fast as it goes
  (embedding, clustering, storing the prompts it changes): questions/s;
- paced: the same questions published at `rate`/s to the running worker: the delay from
  each question's publication to the end of the batch that took it in (p50, p95, p99), and
  the backlog left when the last one was published.
The window (120 s) holds the whole stream, so the topic matrix is as large as it gets.
Medians over the runs are printed as JSON.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from copilot.bus import Event
from copilot.config import Settings
from copilot.hostprompts.service import question_event
from copilot.runtime import Copilot
from evals.prompt_stream import StreamConfig, generate, load_room
from evals.runner import load_dataset

ROOM = "prompt-bench"
DEMO = Path("evals/datasets/demo")


def stream_questions(rate: float, seconds: float, seed: int) -> list[dict[str, Any]]:
    """The stream's question events: `rate * seconds` of them over `seconds`."""
    config = StreamConfig(seed=seed, questions=int(rate * seconds), minutes=seconds / 60)
    events, _ = generate(load_room(DEMO), config)
    return [e for e in events if e["kind"] == "question"]


def _events(questions: list[dict[str, Any]], room: str) -> list[Event]:
    return [
        question_event(
            room,
            viewer_id=str(q["viewer_id"]),
            text=str(q["text"]),
            at=float(q["t"]),
            intent="",
            language=str(q["lang"]),
            product_sku=None,
            answer=None,
        )
        for q in questions
    ]


def flat_out(copilot: Copilot, questions: list[dict[str, Any]], room: str) -> float:
    """Questions per second through fresh state, in the worker's batch size."""
    service = copilot.host_prompts
    events = _events(questions, room)
    started = time.perf_counter()
    for i in range(0, len(events), 256):
        service.process(events[i : i + 256])
    return len(events) / (time.perf_counter() - started)


def paced(
    copilot: Copilot, questions: list[dict[str, Any]], room: str, rate: float
) -> dict[str, float]:
    """Publish at `rate`/s to the running worker; the delays it added."""
    service = copilot.host_prompts
    service.start()
    service.stats.delays.clear()
    events = _events(questions, room)
    origin = time.monotonic()
    for i, event in enumerate(events):
        wait = i / rate - (time.monotonic() - origin)
        if wait > 0:
            time.sleep(wait)
        event.data["sent"] = time.time()
        service.publish(event)
    backlog = service.pending
    service.wait_idle(timeout=600)
    delays = np.array(service.stats.delays)
    return {
        "offered_per_s": round(len(events) / (time.monotonic() - origin), 1),
        "delay_p50_ms": round(float(np.percentile(delays, 50)) * 1000, 1),
        "delay_p95_ms": round(float(np.percentile(delays, 95)) * 1000, 1),
        "delay_p99_ms": round(float(np.percentile(delays, 99)) * 1000, 1),
        "backlog_at_end": float(backlog),
    }


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print the medians."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    home = Path(tempfile.mkdtemp(prefix="prompt-bench-"))
    copilot = Copilot(Settings(home=home))
    questions = stream_questions(args.rate, args.seconds, args.seed)
    copilot.host_prompts.features.vectors(["预热 warm-up"])  # the model loads once, untimed
    rows = []
    for run in range(args.runs):
        for room in (f"{ROOM}-{run}-flat", f"{ROOM}-{run}-paced"):
            load_dataset(copilot, DEMO, room)
        rows.append(
            {
                "flat_out_per_s": flat_out(copilot, questions, f"{ROOM}-{run}-flat"),
                **paced(copilot, questions, f"{ROOM}-{run}-paced", args.rate),
            }
        )
    figures = {key: round(statistics.median(r[key] for r in rows), 1) for key in rows[0]}
    figures.update(questions=len(questions), rate=args.rate, runs=args.runs)
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()

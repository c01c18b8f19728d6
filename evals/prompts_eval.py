"""Host prompts on a simulated chat stream: are the planted topics surfaced, once, in time?

`python -m evals.prompts_eval STREAM.jsonl [--room-dir evals/datasets/demo]` puts every
question of the stream (`evals/prompt_stream.py` writes them; any file of that format does)
through the whole pipeline in a fresh room, then replays the questions the copilot answered
or handed over, and the host's lines, through the prompt worker at `--speed` times real
time, and scores the prompts it stored against the stream's topic labels:

- expected pushes: the same rule the product states, applied to the labels (a topic asked by
  `min_viewers` unique viewers within the window; after a host line that answers it, only
  later askers count, and not before the cool-down);
- precision: prompts whose samples are mostly one expected topic's questions; recall:
  expected topics with a prompt; duplicates: prompts per surfaced topic;
- delay: stream seconds from the expected crossing to the question that opened the prompt,
  and wall seconds from that question's publication to the stored prompt;
- suppression: answered topics whose open prompt turned `answered` at the host's line, and
  prompts reopened within the cool-down after it.

The pipeline's results are cached (`--feed-cache`), so tuning the clustering re-runs only
the replay.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from sqlalchemy import delete

from copilot.bus import PROMPT_FEED_CHANNEL, Event
from copilot.config import Settings
from copilot.hostprompts.lifecycle import PromptRules
from copilot.hostprompts.models import HostPrompt, HostPromptEvent
from copilot.hostprompts.repository import PromptRepository
from copilot.hostprompts.service import host_line_event
from copilot.pipeline import ask
from copilot.runtime import Copilot
from evals.asr import percentiles
from evals.runner import load_dataset

ROOM = "prompts-eval"


def read_stream(path: Path) -> list[dict[str, Any]]:
    """The stream's events in time order (a clear error on a malformed line)."""
    events = []
    for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            event = json.loads(line)
            float(event["t"]), str(event["kind"]), str(event["text"])
        except (ValueError, KeyError, TypeError) as exc:
            raise SystemExit(f"{path}:{number}: not a stream event ({exc})") from exc
        events.append(event)
    return sorted(events, key=lambda e: float(e["t"]))


def feed(copilot: Copilot, stream: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each question through the pipeline; the feed records it published, with its topic."""
    published: list[Event] = []
    copilot.bus.subscribe(PROMPT_FEED_CHANNEL, published.append)
    records = []
    questions = [e for e in stream if e["kind"] == "question"]
    started = time.perf_counter()
    for i, event in enumerate(questions):
        before = len(published)
        result = ask(
            copilot, room_id=ROOM, viewer_id=event["viewer_id"], text=event["text"], at=event["t"]
        )
        data = published[before].data if len(published) > before else None
        records.append({"event": event, "action": result.action, "feed": data})
        if (i + 1) % 500 == 0:
            rate = (i + 1) / (time.perf_counter() - started)
            print(f"  {i + 1}/{len(questions)} questions ({rate:.1f}/s)", file=sys.stderr)
    return records


def replay(
    copilot: Copilot, records: list[dict[str, Any]], stream: list[dict[str, Any]], speed: float
) -> None:
    """Questions and host lines through the worker, paced at `speed` times the stream."""
    with copilot.db.session_scope() as session:
        session.execute(delete(HostPromptEvent).where(HostPromptEvent.room_id == ROOM))
        session.execute(delete(HostPrompt).where(HostPrompt.room_id == ROOM))
    service = copilot.host_prompts
    service.start()
    timeline: list[tuple[float, Event]] = [
        (float(r["event"]["t"]), Event(type="question", room_id=ROOM, data=dict(r["feed"])))
        for r in records
        if r["feed"] is not None
    ]
    timeline += [
        (float(e["t"]), host_line_event(ROOM, start=float(e["t"]), text=e["text"]))
        for e in stream
        if e["kind"] == "host"
    ]
    timeline.sort(key=lambda pair: pair[0])
    origin = time.monotonic()
    for at, event in timeline:
        wait = at / speed - (time.monotonic() - origin)
        if wait > 0:
            time.sleep(wait)
        if event.type == "question":
            event.data["sent"] = time.time()
        service.publish(event)
    service.wait_idle(timeout=120)


def expected_pushes(stream: list[dict[str, Any]], rules: PromptRules) -> dict[str, list[float]]:
    """Stream seconds at which each topic should be pushed, by the product's own rule."""
    asked: dict[str, list[tuple[float, str]]] = defaultdict(list)
    answers: dict[str, list[float]] = defaultdict(list)
    for event in stream:
        if event["kind"] == "question" and event.get("topic"):
            asked[event["topic"]].append((float(event["t"]), event["viewer_id"]))
        elif event["kind"] == "host" and event.get("answers"):
            answers[event["answers"]].append(float(event["t"]))
    pushes: dict[str, list[float]] = {}
    for topic, questions in asked.items():
        quiet: float | None = None
        open_ = False
        times: list[float] = []
        answer_times = sorted(answers.get(topic, []))
        for at, _ in questions:
            while answer_times and answer_times[0] <= at:
                quiet, open_ = answer_times.pop(0), False
            if open_:
                continue
            since = max(at - rules.window_s, quiet if quiet is not None else -1e9)
            viewers = {v for t, v in questions if since <= t <= at}
            cooling = quiet is not None and at - quiet < rules.cooldown_s
            if len(viewers) >= rules.min_viewers and not cooling:
                times.append(at)
                open_ = True
        if times:
            pushes[topic] = times
    return pushes


def score(copilot: Copilot, stream: list[dict[str, Any]], rules: PromptRules) -> dict[str, Any]:
    """Precision, recall, duplicates, delays and suppression of the stored prompts."""
    topic_of_text: dict[str, Counter[str]] = defaultdict(Counter)
    for event in stream:
        if event["kind"] == "question":
            topic_of_text[event["text"]][event.get("topic") or ""] += 1
    with copilot.db.read_scope() as session:
        prompts = PromptRepository(session, ROOM)
        history = prompts.events_after(0)
        while history and len(history) % 200 == 0:  # read the whole log
            more = prompts.events_after(history[-1][0])
            if not more:
                break
            history += more
    by_prompt: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for _, view in history:
        by_prompt[view["id"]].append(view)
    expected = expected_pushes(stream, rules)
    surfaced: dict[str, list[str]] = defaultdict(list)
    false_prompts = []
    for prompt_id, views in by_prompt.items():
        votes: Counter[str] = Counter()
        for view in views:
            for sample in view["samples"]:
                votes.update(topic_of_text.get(sample, Counter()))
        topic = votes.most_common(1)[0][0] if votes else ""
        if topic and topic in expected:
            surfaced[topic].append(prompt_id)
        else:
            false_prompts.append({"topic": topic or None, "line": views[-1]["line"]})
    lags = []
    for topic, prompt_ids in surfaced.items():
        opened = min(by_prompt[p][0]["last_at"] for p in prompt_ids)
        lags.append(max(0.0, opened - expected[topic][0]))
    answered_lines = [
        (e["answers"], float(e["t"])) for e in stream if e["kind"] == "host" and e.get("answers")
    ]
    suppressed = reopened_early = answerable = 0
    for topic, at in answered_lines:
        views = [v for p in surfaced.get(topic, []) for v in by_prompt[p]]
        if not any(v["status"] == "open" and v["last_at"] <= at for v in views):
            continue  # no prompt was open when the host answered
        answerable += 1
        if any(
            v["status"] == "answered" and abs(v.get("answered_at", -1e9) - at) < 1 for v in views
        ):
            suppressed += 1
        if any(
            v["status"] == "open" and at < v["last_at"] < at + rules.cooldown_s
            for v in views
            if v.get("answered_at") is None
        ):
            reopened_early += 1
    topic_of_prompt = {p: topic for topic, ids in surfaced.items() for p in ids}
    wrong_answers = 0
    for prompt_id, views in by_prompt.items():
        for view in views:
            if view["status"] != "answered":
                continue
            answered_at = view.get("answered_at", -1e9)
            topic = topic_of_prompt.get(prompt_id, "")
            if not any(a == topic and abs(answered_at - t) < 1 for a, t in answered_lines):
                wrong_answers += 1
            break  # the first answer of each prompt
    stats = copilot.host_prompts.stats
    n_prompts = len(by_prompt)
    return {
        "questions": sum(1 for e in stream if e["kind"] == "question"),
        "host_lines": sum(1 for e in stream if e["kind"] == "host"),
        "expected_topics": len(expected),
        "prompts": n_prompts,
        "precision": round((n_prompts - len(false_prompts)) / n_prompts, 3) if n_prompts else None,
        "recall": round(len(surfaced) / len(expected), 3) if expected else None,
        "prompts_per_topic_max": max((len(v) for v in surfaced.values()), default=0),
        "duplicate_prompts": sum(len(v) - 1 for v in surfaced.values()),
        "missed_topics": sorted(set(expected) - set(surfaced)),
        "false_prompts": false_prompts,
        "crossing_to_prompt_stream_s": percentiles(lags),
        "publish_to_stored_s": percentiles(stats.open_delays),
        "answered_on_air": answerable,
        "suppressed": suppressed,
        "reopened_within_cooldown": reopened_early,
        "answered_by_a_line_about_another_topic": wrong_answers,
    }


def main(argv: list[str] | None = None) -> None:
    """Run the evaluation and print its figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("stream", type=Path)
    parser.add_argument("--room-dir", type=Path, default=Path("evals/datasets/demo"))
    parser.add_argument("--home", type=Path, default=None, help="COPILOT_HOME (default: temp)")
    parser.add_argument("--feed-cache", type=Path, default=None)
    parser.add_argument("--speed", type=float, default=20.0)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    stream = read_stream(args.stream)
    home = args.home or Path(tempfile.mkdtemp(prefix="prompts-eval-"))
    settings = Settings(home=home, rate_viewer_per_min=0, rate_room_per_s=0)
    copilot = Copilot(settings)
    if args.feed_cache is not None and args.feed_cache.exists():
        records = json.loads(args.feed_cache.read_text("utf-8"))
        load_dataset(copilot, args.room_dir, ROOM)
    else:
        load_dataset(copilot, args.room_dir, ROOM)
        copilot.warm_up()
        records = feed(copilot, stream)
        if args.feed_cache is not None:
            args.feed_cache.write_text(json.dumps(records, ensure_ascii=False), "utf-8")
    replay(copilot, records, stream, args.speed)
    rules = copilot.host_prompts.rules
    figures = score(copilot, stream, rules)
    figures["actions"] = dict(Counter(r["action"] for r in records))
    text = json.dumps(figures, ensure_ascii=False, indent=2)
    if args.out is not None:
        args.out.write_text(text + "\n", "utf-8")
    print(text)


if __name__ == "__main__":
    main()

"""Writes never freeze the service: viewers keep asking while the catalog is reloaded.

    python -m evals.load [--askers 60] [--reload-every 3] [--duration 60]
                         [--database sqlite|postgres|URL] [--home DIR] [--out FILE]

Loads the demo dataset into room `demo`, starts the real server (uvicorn in a subprocess on
a free port, its own COPILOT_HOME), then runs `askers` concurrent viewers, each posting demo
questions one after another under its own viewer id, and a loader that re-posts the catalog
(with small price changes, so every load really changes it) every `reload_every` seconds.
Prints answers per second, latency percentiles, counts by status code, the duration of each
load, the longest time no answer came back, whether the catalog the server ends with is the
last one loaded, and whether the target holds: no 5xx, p99 under 3 s, no load over 5 s.

The first start on an empty data directory builds the models' caches and the room's indexes
(a minute or more); pass `--home DIR` to keep them for the next run. The server registers a
stack dump on SIGUSR1 (`--dump-stacks-at S` sends one S seconds into the run; it goes to the
server log, whose path is printed).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import numpy as np

DEMO = Path(__file__).parent / "datasets" / "demo"
ROOM = "demo"
POSTGRES_URL = "postgresql+psycopg://copilot:copilot@127.0.0.1:5432/copilot_load"
START_TIMEOUT_S = 900.0  # an empty data directory builds every cache before the first answer
REQUEST_TIMEOUT_S = 60.0
WARM_UP_ASKERS = 4  # the warm-up puts every distinct question through once, this many at a time
P99_TARGET_S = 3.0
LOAD_TARGET_S = 5.0
ERROR_SAMPLES = 3  # bodies kept per non-2xx status
SERVER = """
import faulthandler, signal, sys
faulthandler.register(signal.SIGUSR1, all_threads=True)
if len(sys.argv) > 3:  # sample every thread's innermost project frame (safe, unlike signals)
    import collections, json, os, threading, time, traceback
    root = os.getcwd() + "/"
    def _sample(path, every):
        with open(path, "a") as out:
            while True:
                time.sleep(every)
                where = collections.Counter()
                for frame in sys._current_frames().values():
                    stack = traceback.extract_stack(frame)
                    mine = [f for f in stack if f.filename.startswith(root) and "/.venv/" not in
                            f.filename]
                    at = f"{mine[-1].filename[len(root):]}:{mine[-1].lineno}" if mine else "-"
                    where[f"{at} | {stack[-1].name}"] += 1
                out.write(json.dumps({"t": time.time(), "threads": where}) + "\\n")
                out.flush()
    threading.Thread(target=_sample, args=(sys.argv[2], float(sys.argv[3])), daemon=True).start()
import uvicorn
uvicorn.run("api.app:create_app", factory=True, host="127.0.0.1", port=int(sys.argv[1]),
            log_level="warning")
"""


@dataclass
class Tally:
    """What came back, as it came back."""

    started: float
    latencies: list[float] = field(default_factory=list)
    slowest: list[tuple[float, float, str]] = field(default_factory=list)  # (latency, sent, status)
    answered_at: list[float] = field(default_factory=list)  # 2xx answers, seconds into the run
    status: dict[str, int] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    loads: list[dict[str, Any]] = field(default_factory=list)
    last_prices: dict[str, float] = field(default_factory=dict)  # of the last load that took
    catalog_whole: bool = False  # the server ends with exactly the last catalog loaded
    ended: float = 0.0  # when the last request in flight at the deadline came back
    started_unix: float = field(default_factory=time.time)

    def count(self, status: str, body: str) -> None:
        self.status[status] = self.status.get(status, 0) + 1
        if not status.startswith("2"):
            samples = self.errors.setdefault(status, [])
            if len(samples) < ERROR_SAMPLES:
                samples.append(body[:300])


def database_url(choice: str) -> str:
    """'' for the SQLite file under COPILOT_HOME, the benchmark's PostgreSQL, or a URL."""
    if choice == "sqlite":
        return ""
    if choice == "postgres":
        return os.environ.get("COPILOT_LOAD_DATABASE_URL", POSTGRES_URL)
    return choice


def server_env(home: Path, url: str, threads: int | None = None) -> dict[str, str]:
    """The server's environment: its own data directory and database, rate limits off."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COPILOT_")}
    if threads:
        env["COPILOT_WORKER_THREADS"] = str(threads)
    env.update(
        COPILOT_HOME=str(home),
        COPILOT_RATE_VIEWER_PER_MIN="0",
        COPILOT_RATE_ROOM_PER_S="0",
        PYTHONUNBUFFERED="1",
    )
    if url:
        env["COPILOT_DATABASE_URL"] = url
    return env


def prepare(home: Path, url: str) -> None:
    """Load the demo dataset into room `demo` (a fresh room each run)."""
    from copilot.config import Settings
    from copilot.runtime import Copilot
    from evals.runner import load_dataset

    copilot = Copilot(Settings(home=home, database_url=url))
    load_dataset(copilot, DEMO, ROOM)
    copilot.db.engine.dispose()


def admin_token(env: dict[str, str]) -> str | None:
    """`copilot token --role admin`'s last line, or None while the command does not exist."""
    command = [str(Path(sys.executable).parent / "copilot"), "token", "--role", "admin"]
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return None
    lines = done.stdout.strip().splitlines()
    return lines[-1].strip() if done.returncode == 0 and lines else None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_server(
    env: dict[str, str], log: Path, sample_every: float | None = None
) -> tuple[subprocess.Popen[bytes], str]:
    """The real app under uvicorn; returns once /healthz answers."""
    port = free_port()
    sampling = [str(log.with_suffix(".stacks.jsonl")), str(sample_every)] if sample_every else []
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-c", SERVER, str(port), *sampling],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=Path(__file__).resolve().parent.parent,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited ({process.returncode}); see {log}")
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return process, base
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    stop_server(process)
    raise RuntimeError(f"the server did not answer within {START_TIMEOUT_S:.0f}s; see {log}")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def questions() -> list[dict[str, Any]]:
    """The demo questions (text and moment of the stream)."""
    rows = [json.loads(line) for line in (DEMO / "questions.jsonl").read_text("utf-8").splitlines()]
    return [{"text": r["text"], "at": r.get("at")} for r in rows if r.get("text", "").strip()]


def catalog(reload: int) -> tuple[str, dict[str, float]]:
    """The demo catalog with every regular price a few cents up (differently each reload)."""
    lines: list[str] = []
    prices: dict[str, float] = {}
    for line in (DEMO / "products.jsonl").read_text("utf-8").splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        if "sku" in record:
            record["price"] = round(float(record["price"]) + 0.01 * (reload % 9 + 1), 2)
            prices[record["sku"]] = record["price"]
        lines.append(json.dumps(record, ensure_ascii=False))
    return "\n".join(lines) + "\n", prices


async def asker(
    client: httpx.AsyncClient,
    number: int,
    pool: list[dict[str, Any]],
    tally: Tally,
    deadline: float,
) -> None:
    """One viewer asking question after question until the deadline."""
    viewer = f"load-{number:03d}"
    position = number * 7
    while time.monotonic() < deadline:
        question = pool[position % len(pool)]
        position += 1
        sent = time.monotonic()
        try:
            response = await client.post(
                f"/v1/rooms/{ROOM}/questions", json={"viewer_id": viewer, **question}
            )
            status, body = str(response.status_code), response.text
        except httpx.TimeoutException:
            status, body = "timeout", ""
        except httpx.HTTPError as exc:
            status, body = "error", repr(exc)
        done = time.monotonic()
        tally.latencies.append(done - sent)
        tally.slowest = sorted([*tally.slowest, (done - sent, sent - tally.started, status)])[-5:]
        tally.count(status, body)
        if status.startswith("2"):
            tally.answered_at.append(done - tally.started)


async def loader(client: httpx.AsyncClient, every: float, tally: Tally, deadline: float) -> None:
    """Re-post the catalog every `every` seconds (the next load waits for the last)."""
    reload = 0
    next_at = time.monotonic() + every
    while True:
        await asyncio.sleep(max(0.0, min(next_at, deadline) - time.monotonic()))
        if time.monotonic() >= deadline:
            return
        reload += 1
        body, prices = catalog(reload)
        sent = time.monotonic()
        try:
            response = await client.post(
                f"/v1/rooms/{ROOM}/kb",
                content=body.encode("utf-8"),
                headers={"Content-Type": "application/x-ndjson"},
            )
            status, text = str(response.status_code), response.text
        except httpx.TimeoutException:
            status, text = "timeout", ""
        except httpx.HTTPError as exc:
            status, text = "error", repr(exc)
        duration = time.monotonic() - sent
        tally.loads.append(
            {"at_s": round(sent - tally.started, 2), "s": round(duration, 3), "status": status}
        )
        if status.startswith("2"):
            tally.last_prices = prices
        else:
            tally.count(f"load {status}", text)
        next_at += every
        next_at = max(next_at, time.monotonic())


def longest_stall(answered_at: list[float], duration: float) -> float:
    """The longest stretch of the run in which no answer came back."""
    points = [0.0, *sorted(answered_at), duration]
    return max(b - a for a, b in itertools.pairwise(points))


def timeline(answered_at: list[float], duration: float) -> list[int]:
    """Answers that came back in each second of the run."""
    counts = [0] * (int(duration) + 1)
    for at in answered_at:
        counts[min(int(at), len(counts) - 1)] += 1
    return counts


async def run_load(
    base: str,
    headers: dict[str, str],
    askers: int,
    every: float,
    duration: float,
    on_start: Callable[[], None] = lambda: None,
    cold: bool = False,
) -> Tally:
    """Warm up, then askers and the loader together for `duration` seconds."""
    pool = questions()
    # Idle connections are dropped before uvicorn's 5 s keep-alive ends, not as it closes them.
    limits = httpx.Limits(
        max_connections=askers + 4, max_keepalive_connections=askers + 4, keepalive_expiry=2.0
    )
    timeout = httpx.Timeout(REQUEST_TIMEOUT_S)
    async with (
        httpx.AsyncClient(base_url=base, headers=headers, limits=limits, timeout=timeout) as ask,
        httpx.AsyncClient(
            base_url=base,
            headers=headers,
            timeout=timeout,
            limits=httpx.Limits(keepalive_expiry=2.0),
        ) as load,
    ):
        # Lazy models load on the first questions; unless `cold`, every distinct question is
        # asked once, so that what follows measures the service, not first-time encodings.
        warm_up = pool[:WARM_UP_ASKERS] if cold else pool
        for start in range(0, len(warm_up), WARM_UP_ASKERS):
            await asyncio.gather(
                *(
                    ask.post(f"/v1/rooms/{ROOM}/questions", json={"viewer_id": "warm", **q})
                    for q in warm_up[start : start + WARM_UP_ASKERS]
                )
            )
        tally = Tally(started=time.monotonic())
        on_start()
        deadline = tally.started + duration
        await asyncio.gather(
            loader(load, every, tally, deadline),
            *(asker(ask, n, pool, tally, deadline) for n in range(askers)),
        )
        tally.ended = time.monotonic()
        room = (await load.get(f"/v1/rooms/{ROOM}")).json()
    served = {p["sku"]: p["price"] for p in room.get("products", [])}
    tally.catalog_whole = bool(served) and served == tally.last_prices
    return tally


def report(tally: Tally, args: argparse.Namespace, wall: float) -> dict[str, Any]:
    """The figures and the verdict."""
    latencies = np.asarray(tally.latencies or [0.0])
    load_times = [entry["s"] for entry in tally.loads]
    fives = sum(n for s, n in tally.status.items() if s.split()[-1].startswith("5"))
    failed = sum(n for s, n in tally.status.items() if s.split()[-1] in ("timeout", "error"))
    p99 = float(np.percentile(latencies, 99))
    worst_load = max(load_times, default=0.0)
    whole = tally.catalog_whole
    target = {
        "zero_5xx": fives == 0 and failed == 0,
        "p99_under_3s": p99 < P99_TARGET_S,
        "no_load_over_5s": worst_load <= LOAD_TARGET_S and bool(tally.loads),
        "catalog_whole": whole,
    }
    return {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "started_unix": round(tally.started_unix, 1),
        "database": args.database,
        "askers": args.askers,
        "reload_every_s": args.reload_every,
        "warm_up": "4 questions" if args.cold else "every distinct question once",
        "duration_s": round(wall, 1),
        "cpu_load_average_1m": round(os.getloadavg()[0], 2),
        "answers": len(tally.answered_at),
        "answers_per_s": round(len(tally.answered_at) / wall, 1),
        "latency_s": {
            "p50": round(float(np.percentile(latencies, 50)), 3),
            "p95": round(float(np.percentile(latencies, 95)), 3),
            "p99": round(p99, 3),
            "max": round(float(latencies.max()), 3),
        },
        "status": dict(sorted(tally.status.items())),
        "non_2xx": tally.errors,
        "longest_stall_s": round(longest_stall(tally.answered_at, wall), 2),
        "slowest": [
            {"sent_at_s": round(at, 2), "s": round(latency, 3), "status": status}
            for latency, at, status in reversed(tally.slowest)
        ],
        "answers_per_second": timeline(tally.answered_at, wall),
        "loads": {
            "count": len(tally.loads),
            "max_s": round(worst_load, 3),
            "durations_s": load_times,
            "failed": [entry for entry in tally.loads if not entry["status"].startswith("2")],
        },
        "catalog_whole": whole,
        "target": {**target, "holds": all(target.values())},
    }


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--askers", type=int, default=60)
    parser.add_argument("--reload-every", type=float, default=3.0, help="seconds between loads")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument(
        "--database", default="sqlite", help="sqlite, postgres (copilot_load) or a URL"
    )
    parser.add_argument(
        "--threads", type=int, help="the server's COPILOT_WORKER_THREADS (default: its own)"
    )
    parser.add_argument("--home", type=Path, help="data directory to keep (default: a temp one)")
    parser.add_argument("--out", type=Path, help="also write the report (JSON) here")
    parser.add_argument(
        "--dump-stacks-at",
        type=float,
        action="append",
        default=[],
        help="dump the server's stacks (to its log) S seconds into the run; repeatable",
    )
    parser.add_argument(
        "--cold",
        action="store_true",
        help="warm up with 4 questions only: the run then pays every first query encoding",
    )
    parser.add_argument(
        "--sample-stacks",
        type=float,
        metavar="S",
        help="every S seconds, count the server's threads by where they are (next to its log)",
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="copilot-load-") as scratch:
        home = args.home or Path(scratch)
        home.mkdir(parents=True, exist_ok=True)
        url = database_url(args.database)
        env = server_env(home, url, args.threads)
        log = home / "load-server.log"
        print(f"preparing room {ROOM!r} in {home} ...", file=sys.stderr)
        prepare(home, url)
        token = admin_token(env)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        print(f"starting the server (log: {log}) ...", file=sys.stderr)
        process, base = start_server(env, log, args.sample_stacks)
        try:

            def dump_stacks_later() -> None:
                for at in args.dump_stacks_at:
                    timer = threading.Timer(at, process.send_signal, args=(signal.SIGUSR1,))
                    timer.daemon = True
                    timer.start()

            print(
                f"{args.askers} askers, a load every {args.reload_every}s, "
                f"for {args.duration}s against {base} ...",
                file=sys.stderr,
            )
            tally = asyncio.run(
                run_load(
                    base,
                    headers,
                    args.askers,
                    args.reload_every,
                    args.duration,
                    dump_stacks_later,
                    args.cold,
                )
            )
            figures = report(tally, args, tally.ended - tally.started)
        finally:
            stop_server(process)
            if args.home is None and args.dump_stacks_at:
                print(log.read_text("utf-8", errors="replace")[-20000:], file=sys.stderr)
    text = json.dumps(figures, ensure_ascii=False, indent=2)
    if args.out:
        args.out.write_text(text + "\n", "utf-8")
    print(text)


if __name__ == "__main__":
    main()

"""Agents' replies reach viewers' open chat streams at once, however many streams are open.

    python -m evals.delivery [--viewers 500] [--replies 200] [--rate 10] [--capacity]
                             [--max-streams 8000] [--database sqlite|postgres|URL]
                             [--home DIR] [--out FILE]

Loads the demo dataset into room `demo` (evals/load.py's helpers), then writes, through the
copilot's own repositories and before the server starts, one thread per viewer with an open
after-sales ticket ("我收到的东西坏了，要退款" and the copilot's hand-over sentence), and an
agent account. It starts the real server (uvicorn in a subprocess, its own COPILOT_HOME),
opens one chat event stream per viewer (GET /v1/rooms/demo/chat/events with a viewer token,
all on one asyncio loop), waits until each has replayed its history, then the agent POSTs
`replies` replies to random viewers' tickets at `rate` per second. For each reply it measures
the delay from the POST's send (and from its return) to the event's arrival on that viewer's
stream, and counts replies never delivered, delivered twice, or delivered to another stream.

`--capacity` opens streams in steps (500, 1000, 2000, 3000, ... up to --max-streams), sends a
batch of `replies` at each step and reports the largest step whose delivery p95 (from send)
stays under 1 s with nothing lost or doubled; it stops at the first step that misses, or when
streams cannot be opened or the server dies (the report then quotes the server log).

The client shares the machine with the server: the report gives the CPU each used, the
machine's load average and how busy all its cores were, so a run on a loaded machine says so.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import resource
import secrets
import ssl
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from evals.load import ROOM, database_url, prepare, server_env, start_server, stop_server

QUESTION = "我收到的东西坏了，要退款"
INTENT = "after_sales"
AGENT = "delivery-agent"
VIEWER_PREFIX = "dlv-"
SEED_BATCH = 500  # viewers written per transaction
STREAMS_PER_CLIENT = 250  # httpx's pool scans its connections on every change: keep pools small
OPENING_AT_ONCE = 64  # streams being opened (request sent, history not yet replayed) at a time
OPEN_TIMEOUT_S = 120.0  # from a stream's request to its replayed history
DELIVERY_WAIT_S = 15.0  # after the last reply returned, how long undelivered ones are awaited
SETTLE_S = 3.0  # quiet seconds between opening streams and the first reply
P95_TARGET_S = 1.0
CAPACITY_TARGET = 2000
FD_MARGIN = 256  # descriptors besides the streams (database, models, logs)
ERROR_LINE = re.compile(
    r"Traceback|Error|error|Exception|Too many open files|Killed|MemoryError|WARNING"
)


@dataclass
class Stream:
    """One viewer's open chat event stream and what arrived on it."""

    viewer: str
    token: str
    ticket: str
    history: list[int]  # the seeded message ids: the replay is complete once the last arrived
    seen: dict[int, float] = field(default_factory=dict)  # event id -> arrival (monotonic)
    payloads: dict[int, dict[str, Any]] = field(default_factory=dict)
    duplicates: list[int] = field(default_factory=list)
    bad_events: list[str] = field(default_factory=list)
    requested: float = 0.0
    replayed_at: float = 0.0
    error: str = ""
    closing: bool = False  # we are closing it: an end now is not a drop
    ended: float = 0.0  # when the stream ended without us closing it
    replayed: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None


@dataclass
class Reply:
    """One agent reply: to whom, when it was sent and returned, and its message id."""

    number: int
    viewer: str
    ticket: str
    text: str
    sent: float
    returned: float = 0.0
    status: str = ""
    body: str = ""
    message_id: int | None = None


@dataclass
class Usage:
    """CPU seconds of the server, of this client and of the whole machine, at one moment."""

    at: float
    server_s: float
    client_s: float
    machine_busy_s: float

    @classmethod
    def now(cls, pid: int) -> Usage:
        return cls(time.monotonic(), process_cpu_s(pid), time.process_time(), machine_busy_s())

    def cores_since(self, earlier: Usage) -> dict[str, float]:
        """CPU used between the two moments, in cores (1.0 = one core busy all the time)."""
        wall = max(self.at - earlier.at, 1e-9)
        return {
            "server": round((self.server_s - earlier.server_s) / wall, 2),
            "client": round((self.client_s - earlier.client_s) / wall, 2),
            "machine": round((self.machine_busy_s - earlier.machine_busy_s) / wall, 2),
        }


# --- the machine and the server process --------------------------------------------------


def raise_fd_limit(needed: int) -> tuple[int, int]:
    """Raise this process's open-file limit (the server subprocess inherits it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)


def process_cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process so far (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy_s() -> float:
    """CPU seconds all cores spent not idle since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
    return (sum(values[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def process_stats(pid: int) -> dict[str, Any]:
    """The server's memory, threads and open descriptors now."""
    stats: dict[str, Any] = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                stats["rss_mb" if key == "VmRSS" else "peak_rss_mb"] = round(
                    int(value.split()[0]) / 1024, 1
                )
            elif key == "Threads":
                stats["threads"] = int(value)
        stats["open_fds"] = len(os.listdir(f"/proc/{pid}/fd"))
    except OSError as exc:
        stats["unreadable"] = repr(exc)
    return stats


def load_average() -> list[float]:
    return [round(v, 2) for v in os.getloadavg()]


def server_log_problems(log: Path, limit: int = 30) -> dict[str, Any]:
    """What the server logged that looks like trouble: a count and the last such lines."""
    try:
        lines = log.read_text("utf-8", errors="replace").splitlines()
    except OSError:
        return {"lines": 0, "last": []}
    bad = [line for line in lines if ERROR_LINE.search(line)]
    causes = Counter(line.strip()[:160] for line in bad if not line.startswith(" "))
    return {
        "lines": len(bad),
        "most_common": [{"line": k, "count": n} for k, n in causes.most_common(5)],
        "last": [line[:300] for line in bad[-limit:]],
    }


def server_death(process: Any, log: Path) -> dict[str, Any] | None:
    """None while the server runs; else how it ended and the end of its log."""
    code = process.poll()
    if code is None:
        return None
    try:
        tail = log.read_text("utf-8", errors="replace").splitlines()[-60:]
    except OSError:
        tail = []
    return {"returncode": code, "log_tail": tail}


# --- the data the server will deliver ----------------------------------------------------


def seed(home: Path, url: str, count: int) -> tuple[list[Stream], str]:
    """`count` viewers, each with a thread and an open ticket; an agent; their tokens.

    Written with the copilot's repositories, as the pipeline records an escalation: the
    viewer's message, the ticket with its "created" audit entry, the hand-over sentence.
    """
    from copilot.accounts.models import Role
    from copilot.accounts.repository import UserRepository
    from copilot.accounts.service import create_user, mint_token, token_for_user
    from copilot.config import Settings
    from copilot.conversations import ConversationRepository
    from copilot.escalation import TicketRepository
    from copilot.escalation.handoff import handoff_message, need_for
    from copilot.escalation.lifecycle import COPILOT
    from copilot.escalation.service import priority_for
    from copilot.models import Ticket
    from copilot.runtime import Copilot

    # The server's environment drops COPILOT_*: so must these settings (the same signing key).
    settings = Settings(home=home, database_url=url, secret_key="", token_ttl_s=12 * 3600)
    copilot = Copilot(settings)
    reason = f"intent: {INTENT}"
    sentence = handoff_message(need_for(INTENT, reason), "zh")
    streams: list[Stream] = []
    try:
        for start in range(0, count, SEED_BATCH):
            with copilot.db.session_scope() as session:
                conversations = ConversationRepository(session)
                tickets = TicketRepository(session)
                batch: list[tuple[str, Ticket, list[int]]] = []
                for number in range(start, min(start + SEED_BATCH, count)):
                    viewer = f"{VIEWER_PREFIX}{number:05d}"
                    conversation = conversations.for_viewer(ROOM, viewer)
                    question = conversations.add_message(
                        conversation, role="viewer", text=QUESTION, at=30.0, intent=INTENT
                    )
                    ticket = tickets.add(
                        Ticket(
                            room_id=ROOM,
                            viewer_id=viewer,
                            conversation_id=conversation.id,
                            intent=INTENT,
                            reason=reason,
                            question=QUESTION,
                            at=30.0,
                            language="zh",
                            priority=priority_for(INTENT),
                            evidence=[],
                            orders=[],
                            moments=[30.0],
                        )
                    )
                    question.ticket_id = ticket.id
                    tickets.record(ticket, COPILOT, "created", reason=reason, intent=INTENT)
                    answer = conversations.add_message(
                        conversation,
                        role="copilot",
                        text=sentence,
                        action="escalate",
                        intent=INTENT,
                        ticket_id=ticket.id,
                    )
                    batch.append((viewer, ticket, [question.id, answer.id]))
                for viewer, ticket, history in batch:
                    token, _ = mint_token(
                        settings, role=Role.viewer, subject=viewer, room_id=ROOM, viewer_id=viewer
                    )
                    streams.append(Stream(viewer, token, ticket.id, history))
        with copilot.db.session_scope() as session:
            user = UserRepository(session).get(AGENT) or create_user(
                session, username=AGENT, role=Role.agent, password=secrets.token_urlsafe(16)
            )
            agent_token, _ = token_for_user(settings, user)
    finally:
        copilot.db.engine.dispose()
    return streams, agent_token


# --- the streams -------------------------------------------------------------------------


def dispatch(stream: Stream, event_id: str, data: list[str], arrived: float) -> None:
    """One complete SSE event on a stream."""
    try:
        number = int(event_id)
        payload = json.loads("\n".join(data))
    except ValueError:
        stream.bad_events.append(f"id={event_id!r} data={''.join(data)[:100]!r}")
        return
    if number in stream.seen:
        stream.duplicates.append(number)
        return
    stream.seen[number] = arrived
    stream.payloads[number] = payload
    if payload.get("id") != number:
        stream.bad_events.append(f"event id {number} carries message id {payload.get('id')}")
    if number >= stream.history[-1] and not stream.replayed.is_set():
        stream.replayed_at = arrived
        stream.replayed.set()


async def follow(client: httpx.AsyncClient, stream: Stream) -> None:
    """Read one viewer's event stream until it ends or is cancelled (SSE parsed here)."""
    stream.requested = time.monotonic()
    headers = {"Authorization": f"Bearer {stream.token}", "Accept": "text/event-stream"}
    try:
        async with client.stream("GET", f"/v1/rooms/{ROOM}/chat/events", headers=headers) as got:
            if got.status_code != 200:
                stream.error = f"{got.status_code} {(await got.aread())[:200]!r}"
                return
            buffer = b""
            event_id, data = "", list[str]()
            async for chunk in got.aiter_raw():
                arrived = time.monotonic()
                buffer += chunk
                *lines, buffer = buffer.split(b"\n")
                for raw in lines:
                    line = raw.rstrip(b"\r").decode("utf-8")
                    if not line:
                        if data:
                            dispatch(stream, event_id, data, arrived)
                        event_id, data = "", []
                    elif line.startswith(":"):
                        continue
                    else:
                        name, _, value = line.partition(":")
                        value = value[1:] if value.startswith(" ") else value
                        if name == "id":
                            event_id = value
                        elif name == "data":
                            data.append(value)
            if not stream.closing:
                stream.error = stream.error or "the server ended the stream"
    except Exception as exc:  # any failure is this stream's, and reported
        if not stream.closing:
            stream.error = f"{type(exc).__name__}: {exc}"[:300]
    finally:
        if not stream.closing:
            stream.ended = time.monotonic()
        stream.replayed.set()  # never leave a waiter hanging on a failed stream


class Streams:
    """Every open stream, spread over a few clients (small pools) on this one event loop."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.clients: list[httpx.AsyncClient] = []
        self.open: list[Stream] = []
        self._tls = ssl.create_default_context()  # built once, not per client

    def _client(self) -> httpx.AsyncClient:
        if len(self.open) >= len(self.clients) * STREAMS_PER_CLIENT:
            self.clients.append(
                httpx.AsyncClient(
                    base_url=self.base,
                    verify=self._tls,
                    timeout=httpx.Timeout(30.0, read=None, pool=None),
                    limits=httpx.Limits(max_connections=None, max_keepalive_connections=0),
                )
            )
        return self.clients[-1]

    async def add(self, streams: list[Stream]) -> dict[str, Any]:
        """Open these streams, at most OPENING_AT_ONCE in progress; wait for their replays."""
        started = time.monotonic()
        gate = asyncio.Semaphore(OPENING_AT_ONCE)

        async def open_one(stream: Stream) -> None:
            async with gate:
                stream.task = asyncio.create_task(follow(self._client(), stream))
                self.open.append(stream)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stream.replayed.wait(), OPEN_TIMEOUT_S)

        await asyncio.gather(*(open_one(s) for s in streams))
        took = time.monotonic() - started
        replayed = [s for s in streams if s.replayed_at and not s.error]
        waits = [s.replayed_at - s.requested for s in replayed]
        history_missing = sum(1 for s in replayed if any(i not in s.seen for i in s.history))
        errors = Counter(s.error.split(":")[0][:80] for s in streams if s.error)
        return {
            "added": len(streams),
            "replayed": len(replayed),
            "failed": len(streams) - len(replayed),
            "errors": dict(errors),
            "history_incomplete": history_missing,
            "seconds": round(took, 2),
            "streams_per_s": round(len(streams) / max(took, 1e-9), 1),
            "replay_s": percentiles(waits),
        }

    def healthy(self) -> list[Stream]:
        return [s for s in self.open if s.replayed_at and not s.error]

    async def close(self) -> None:
        for stream in self.open:
            stream.closing = True
            if stream.task is not None:
                stream.task.cancel()
        await asyncio.gather(*(s.task for s in self.open if s.task), return_exceptions=True)
        for client in self.clients:
            await client.aclose()


# --- the replies -------------------------------------------------------------------------


async def send_replies(
    agent: httpx.AsyncClient, targets: list[Stream], count: int, rate: float, first: int
) -> list[Reply]:
    """`count` replies to random viewers' tickets, one every 1/rate s (not waiting on each)."""
    chooser = random.Random(first)
    replies: list[Reply] = []

    async def post(reply: Reply) -> None:
        try:
            response = await agent.post(
                f"/v1/tickets/{reply.ticket}/messages", json={"text": reply.text, "internal": False}
            )
            reply.returned = time.monotonic()
            reply.status, reply.body = str(response.status_code), response.text[:300]
            if response.status_code == 201:
                reply.message_id = int(response.json()["id"])
        except httpx.HTTPError as exc:
            reply.returned = time.monotonic()
            reply.status, reply.body = type(exc).__name__, repr(exc)[:300]

    tasks: list[asyncio.Task[None]] = []
    started = time.monotonic()
    for k in range(count):
        await asyncio.sleep(max(0.0, started + k / rate - time.monotonic()))
        target = chooser.choice(targets)
        number = first + k
        reply = Reply(number, target.viewer, target.ticket, f"回复 #{number}：我们马上处理", 0.0)
        reply.sent = time.monotonic()
        replies.append(reply)
        tasks.append(asyncio.create_task(post(reply)))
    await asyncio.gather(*tasks)
    return replies


async def await_delivery(replies: list[Reply], by_viewer: dict[str, Stream]) -> None:
    """Until every stored reply arrived on its viewer's stream, or DELIVERY_WAIT_S passed."""
    deadline = time.monotonic() + DELIVERY_WAIT_S
    while time.monotonic() < deadline:
        if all(
            r.message_id in by_viewer[r.viewer].seen for r in replies if r.message_id is not None
        ):
            return
        await asyncio.sleep(0.05)


def percentiles(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"p50": None, "p95": None, "p99": None, "max": None}
    array = np.asarray(values)
    return {
        "p50": round(float(np.percentile(array, 50)), 4),
        "p95": round(float(np.percentile(array, 95)), 4),
        "p99": round(float(np.percentile(array, 99)), 4),
        "max": round(float(array.max()), 4),
    }


def delivery_figures(replies: list[Reply], streams: list[Stream], started: float) -> dict[str, Any]:
    """Delays, losses, duplicates and misdeliveries of one batch of replies."""
    by_viewer = {s.viewer: s for s in streams}
    stored = [r for r in replies if r.message_id is not None]
    from_send: list[float] = []
    from_return: list[float] = []
    lost: list[dict[str, Any]] = []
    wrong_payload = 0
    slowest: list[tuple[float, float, str]] = []
    for reply in stored:
        assert reply.message_id is not None
        stream = by_viewer[reply.viewer]
        arrived = stream.seen.get(reply.message_id)
        if arrived is None:
            lost.append(
                {
                    "reply": reply.number,
                    "message_id": reply.message_id,
                    "viewer": reply.viewer,
                    "stream_error": stream.error,
                }
            )
            continue
        payload = stream.payloads[reply.message_id]
        if payload.get("role") != "agent" or payload.get("text") != reply.text:
            wrong_payload += 1
        from_send.append(arrived - reply.sent)
        from_return.append(arrived - reply.returned)
        slowest = sorted([*slowest, (arrived - reply.sent, reply.sent - started, reply.viewer)])
        slowest = slowest[-5:]
    ids = {r.message_id: r.viewer for r in stored}
    misdelivered = sum(
        1 for s in streams for number in s.seen if number in ids and ids[number] != s.viewer
    )
    duplicates = sum(len(s.duplicates) for s in streams)
    statuses = Counter(r.status for r in replies)
    posts = [r.returned - r.sent for r in replies if r.returned]
    return {
        "replies": len(replies),
        "stored": len(stored),
        "post_status": dict(sorted(statuses.items())),
        "post_errors": [r.body for r in replies if r.status != "201"][:3],
        "post_s": percentiles(posts),
        "delivery_s": percentiles(from_send),
        "delivery_after_post_returned_s": percentiles(from_return),
        "before_post_returned": sum(1 for d in from_return if d < 0),
        "lost": len(lost),
        "lost_samples": lost[:5],
        "duplicates": duplicates,
        "misdelivered": misdelivered,
        "wrong_payload": wrong_payload,
        "slowest": [
            {"s": round(d, 4), "sent_at_s": round(at, 2), "viewer": v}
            for d, at, v in reversed(slowest)
        ],
    }


async def measure_batch(
    agent: httpx.AsyncClient,
    streams: Streams,
    count: int,
    rate: float,
    first: int,
    pid: int,
) -> dict[str, Any]:
    """One batch of replies against every healthy open stream, with the CPU it cost."""
    targets = streams.healthy()
    if not targets:
        return {"error": "no stream is open"}
    before = Usage.now(pid)
    load_before = load_average()
    started, started_unix = time.monotonic(), time.time()
    replies = await send_replies(agent, targets, count, rate, first)
    await await_delivery(replies, {s.viewer: s for s in streams.open})
    after = Usage.now(pid)
    figures = delivery_figures(replies, streams.open, started)
    dropped = [s for s in streams.open if s.ended]
    return {
        "open_streams": len(targets),
        "started_unix": round(started_unix, 2),
        **figures,
        "streams_dropped": len(dropped),
        "drop_reasons": dict(Counter(s.error[:80] for s in dropped)),
        "batch_s": round(after.at - started, 2),
        "cpu_cores": after.cores_since(before),
        "load_average": {"before": load_before, "after": load_average()},
        "server": process_stats(pid),
        "client_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def verdict(batch: dict[str, Any]) -> dict[str, bool]:
    p95 = (batch.get("delivery_s") or {}).get("p95")
    return {
        "p95_under_1s": p95 is not None and p95 < P95_TARGET_S,
        "zero_lost": batch.get("lost", 1) == 0 and batch.get("stored") == batch.get("replies"),
        "zero_duplicates": batch.get("duplicates", 1) == 0,
        "zero_misdelivered": batch.get("misdelivered", 1) == 0,
        "no_stream_dropped": batch.get("streams_dropped", 1) == 0,
    }


# --- the two modes -----------------------------------------------------------------------


def agent_client(base: str, token: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=base,
        headers={"Authorization": f"Bearer {token}"},
        timeout=httpx.Timeout(60.0),
        limits=httpx.Limits(max_connections=32, keepalive_expiry=2.0),
    )


async def run_fixed(
    base: str, pool: list[Stream], agent_token: str, args: argparse.Namespace, pid: int
) -> dict[str, Any]:
    """N streams, M replies."""
    streams = Streams(base)
    try:
        opened = await streams.add(pool[: args.viewers])
        await asyncio.sleep(SETTLE_S)
        async with agent_client(base, agent_token) as agent:
            batch = await measure_batch(agent, streams, args.replies, args.rate, 0, pid)
    finally:
        await streams.close()
    return {"streams": opened, "batch": batch}


def capacity_levels(maximum: int) -> list[int]:
    levels = [n for n in (500, 1000) if n <= maximum]
    levels += list(range(2000, maximum + 1, 1000))
    return levels if levels and levels[-1] == maximum else [*levels, maximum]


async def run_capacity(
    base: str,
    pool: list[Stream],
    agent_token: str,
    args: argparse.Namespace,
    pid: int,
    process: Any,
    log: Path,
) -> dict[str, Any]:
    """Ever more streams, a batch of replies at each level, until one misses the target."""
    streams = Streams(base)
    levels: list[dict[str, Any]] = []
    stopped = "every level up to --max-streams held"
    try:
        async with agent_client(base, agent_token) as agent:
            for level in capacity_levels(len(pool)):
                new = pool[len(streams.open) : level]
                print(f"  opening streams up to {level} ...", file=sys.stderr)
                opened = await streams.add(new)
                entry: dict[str, Any] = {"streams": level, "opening": opened}
                levels.append(entry)
                death = server_death(process, log)
                if death is not None:
                    entry["server_died"] = death
                    stopped = f"the server died while opening {level} streams"
                    break
                if opened["failed"]:
                    stopped = f"{opened['failed']} of the streams up to {level} did not open"
                    break
                await asyncio.sleep(SETTLE_S)
                print(f"  {args.replies} replies over {level} streams ...", file=sys.stderr)
                batch = await measure_batch(
                    agent, streams, args.replies, args.rate, len(levels) * 100_000, pid
                )
                entry["batch"] = batch
                entry["target"] = verdict(batch)
                entry["holds"] = all(entry["target"].values())
                death = server_death(process, log)
                if death is not None:
                    entry["server_died"] = death
                    stopped = f"the server died during the replies at {level} streams"
                    break
                if not entry["holds"]:
                    missed = [k for k, ok in entry["target"].items() if not ok]
                    stopped = f"{level} streams missed: {', '.join(missed)}"
                    break
    finally:
        await streams.close()
    held = [e["streams"] for e in levels if e.get("holds")]
    return {
        "levels": levels,
        "capacity_streams": max(held, default=0),
        "stopped_because": stopped,
    }


def summary_line(batch: dict[str, Any]) -> str:
    d = batch.get("delivery_s") or {}
    return (
        f"{batch.get('open_streams')} streams: delivery p50 {d.get('p50')} p95 {d.get('p95')} "
        f"p99 {d.get('p99')} max {d.get('max')} s, lost {batch.get('lost')}, "
        f"duplicates {batch.get('duplicates')}, server RSS "
        f"{(batch.get('server') or {}).get('rss_mb')} MB"
    )


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--viewers", type=int, default=500, help="open streams (fixed mode)")
    parser.add_argument("--replies", type=int, default=200, help="replies (per level)")
    parser.add_argument("--rate", type=float, default=10.0, help="replies per second")
    parser.add_argument(
        "--capacity", action="store_true", help="ramp streams 500, 1000, 2000, 3000, ..."
    )
    parser.add_argument("--max-streams", type=int, default=8000, help="capacity mode's last level")
    parser.add_argument(
        "--database", default="sqlite", help="sqlite, postgres (copilot_load) or a URL"
    )
    parser.add_argument("--home", type=Path, help="data directory to keep (default: a temp one)")
    parser.add_argument("--out", type=Path, help="also write the report (JSON) here")
    parser.add_argument(
        "--sample-stacks",
        type=float,
        metavar="S",
        help="every S seconds, count the server's threads by where they are (next to its log)",
    )
    args = parser.parse_args(argv)
    wanted = args.max_streams if args.capacity else args.viewers
    soft, hard = raise_fd_limit(wanted + FD_MARGIN)
    if soft != resource.RLIM_INFINITY and soft < wanted + FD_MARGIN:
        wanted = max(soft - FD_MARGIN, 1)
        print(f"open-file limit {soft}: at most {wanted} streams", file=sys.stderr)
    wall = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="copilot-delivery-") as scratch:
        home = args.home or Path(scratch)
        home.mkdir(parents=True, exist_ok=True)
        url = database_url(args.database)
        env = server_env(home, url)
        log = home / "delivery-server.log"
        print(f"preparing room {ROOM!r} in {home} ...", file=sys.stderr)
        prepare(home, url)
        seeded = time.monotonic()
        pool, agent_token = seed(home, url, wanted)
        seed_s = time.monotonic() - seeded
        print(f"seeded {len(pool)} tickets in {seed_s:.1f}s; starting the server", file=sys.stderr)
        print(f"(log: {log}) ...", file=sys.stderr)
        process, base = start_server(env, log, args.sample_stacks)
        started_stats = process_stats(process.pid)
        try:
            if args.capacity:
                result = asyncio.run(
                    run_capacity(base, pool, agent_token, args, process.pid, process, log)
                )
            else:
                result = asyncio.run(run_fixed(base, pool, agent_token, args, process.pid))
            final_stats = process_stats(process.pid)
            death = server_death(process, log)
        finally:
            stop_server(process)
        problems = server_log_problems(log)
    figures: dict[str, Any] = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "mode": "capacity" if args.capacity else "fixed",
        "database": args.database,
        "viewers": wanted,
        "replies": args.replies,
        "rate_per_s": args.rate,
        "duration_s": round(time.monotonic() - wall, 1),
        "seed_s": round(seed_s, 1),
        "cpus": os.cpu_count(),
        "cpu_load_average_1m": round(os.getloadavg()[0], 2),
        "open_file_limit": [soft, hard],
        "server_at_start": started_stats,
        "server_at_end": final_stats,
        "server_died": death,
        "server_log": str(log) if args.home else "(temporary; pass --home to keep it)",
        "server_log_problems": problems,
        **result,
    }
    if args.capacity:
        figures["target"] = {
            "capacity_streams": result["capacity_streams"],
            f"at_least_{CAPACITY_TARGET}": result["capacity_streams"] >= CAPACITY_TARGET,
        }
        for level in result["levels"]:
            if "batch" in level:
                print(summary_line(level["batch"]), file=sys.stderr)
    else:
        target = verdict(result["batch"])
        figures["target"] = {**target, "holds": all(target.values())}
        print(summary_line(result["batch"]), file=sys.stderr)
    text = json.dumps(figures, ensure_ascii=False, indent=2)
    if args.out:
        args.out.write_text(text + "\n", "utf-8")
    print(text)


if __name__ == "__main__":
    main()

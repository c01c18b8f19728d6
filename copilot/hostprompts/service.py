"""Host prompts: questions and host lines in, prompts out, on one worker thread.

Every API worker publishes what it sees on the prompt feed (bus); one process (the holder
of the lease: with Redis, one worker at a time; else this process) clusters it, so a room's
topics are counted once across workers. Prompts and their changes are stored; the host
panel's streams are woken through the bus like the chat's.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
import uuid
from collections import defaultdict, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from copilot.bus import PROMPT_FEED_CHANNEL, PROMPTS_CHANNEL, Bus, Event
from copilot.db import Database
from copilot.delivery import Watch
from copilot.hostprompts.clusters import Topic
from copilot.hostprompts.features import (
    TopicFeatures,
    line_pieces,
    without_name,
    without_names,
)
from copilot.hostprompts.lifecycle import PRODUCT_INTENTS, PromptRules, RoomPrompts
from copilot.hostprompts.repository import PromptRepository

log = logging.getLogger(__name__)

BATCH_MAX = 256
STATS_KEPT = 100_000  # questions embedded at once when they queue up


class Lease(Protocol):
    """Whether this process is the one that clusters the feed."""

    def held(self) -> bool: ...


class SoleLease:
    """Without Redis there is one process: it always clusters."""

    def held(self) -> bool:
        """Always."""
        return True


class RedisLease:
    """One worker at a time holds a Redis key; another takes over when it stops renewing."""

    KEY = "copilot:prompts:leader"
    TTL_MS = 10_000
    RENEW_S = 3.0

    def __init__(self, url: str) -> None:
        import redis

        self._redis = redis.Redis.from_url(url)
        self._me = uuid.uuid4().hex
        self._checked = -np.inf
        self._held = False

    def held(self) -> bool:
        """True while this process holds the key (checked at most every RENEW_S)."""
        now = time.monotonic()
        if now - self._checked < self.RENEW_S:
            return self._held
        self._checked = now
        try:
            if self._redis.set(self.KEY, self._me, nx=True, px=self.TTL_MS):
                self._held = True
            elif self._redis.get(self.KEY) == self._me.encode():
                self._redis.pexpire(self.KEY, self.TTL_MS)
                self._held = True
            else:
                self._held = False
        except Exception:
            log.warning("host prompts: cannot reach Redis for the lease", exc_info=True)
            self._held = False
        return self._held


def question_event(
    room_id: str,
    *,
    viewer_id: str,
    text: str,
    at: float,
    intent: str,
    language: str,
    product_sku: str | None,
    answer: str | None,
    product_name: str | None = None,
) -> Event:
    """The feed's record of one question the copilot answered or handed over."""
    data = {
        "viewer_id": viewer_id,
        "text": text,
        "at": at,
        "intent": intent,
        "language": language,
        "product_sku": product_sku if intent in PRODUCT_INTENTS else None,
        "product_name": product_name if intent in PRODUCT_INTENTS else None,
        "answer": answer,
        "sent": time.time(),
    }
    return Event(type="question", room_id=room_id, data=data)


def host_line_event(room_id: str, *, start: float, text: str) -> Event:
    """The feed's record of a final transcript segment."""
    return Event(type="host_line", room_id=room_id, data={"start": start, "text": text})


@dataclass
class PromptStats:
    """What the worker did: for benchmarks and the evaluation."""

    questions: int = 0
    host_lines: int = 0
    batches: int = 0
    # Seconds from a question's publication to the prompt it opened being stored.
    open_delays: list[float] = field(default_factory=list)
    # Seconds from each question's publication to the end of its batch (the latest ones).
    delays: deque[float] = field(default_factory=lambda: deque(maxlen=STATS_KEPT))
    busy_s: float = 0.0


class HostPrompts:
    """Clusters each room's feed into prompts and stores them."""

    def __init__(
        self,
        db: Database,
        features: TopicFeatures,
        bus: Bus,
        rules: PromptRules,
        lease: Lease | None = None,
    ) -> None:
        self.db = db
        self.features = features
        self.bus = bus
        self.rules = rules
        self.lease = lease or SoleLease()
        self.stats = PromptStats()
        self._rooms: dict[str, RoomPrompts] = {}
        self._queue: queue.Queue[Event] = queue.Queue()
        self._started = False
        self._lock = threading.Lock()
        self._watches: dict[str, set[Watch]] = defaultdict(set)
        self._listening = False

    # -- the feed --------------------------------------------------------------------------

    def start(self) -> None:
        """Follow the feed and start the worker (once)."""
        with self._lock:
            if self._started:
                return
            self._started = True
        self.bus.subscribe(PROMPT_FEED_CHANNEL, self._on_feed)
        threading.Thread(target=self._run, name="host-prompts", daemon=True).start()

    def publish(self, event: Event) -> None:
        """Put an event on the feed (any process may)."""
        self.bus.publish(PROMPT_FEED_CHANNEL, event)

    def _on_feed(self, event: Event) -> None:
        if self.lease.held():
            self._queue.put(event)

    @property
    def pending(self) -> int:
        """Events fed and not yet processed."""
        return self._queue.unfinished_tasks

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Block until everything fed so far is processed (tests, the evaluation)."""
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.005)
        return True

    def _run(self) -> None:
        while True:
            batch = [self._queue.get()]
            with contextlib.suppress(queue.Empty):
                while len(batch) < BATCH_MAX:
                    batch.append(self._queue.get_nowait())
            try:
                self.process(batch)
            except Exception:
                log.exception("host prompts: a batch of %d events failed", len(batch))
            finally:
                for _ in batch:
                    self._queue.task_done()

    # -- clustering ------------------------------------------------------------------------

    def process(self, events: list[Event]) -> None:
        """Cluster a batch in order; store the prompts it changed in one transaction."""
        started = time.perf_counter()
        rooms = [self._room(e.room_id) for e in events]
        compared = [_compared(e, room) for e, room in zip(events, rooms, strict=True)]
        ends = np.cumsum([len(pieces) for pieces, _ in compared])
        semantic, lexical = self.features.vectors([p for pieces, _ in compared for p in pieces])
        changed: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
        opened: list[float] = []
        for i, (event, room) in enumerate(zip(events, rooms, strict=True)):
            rows = slice(int(ends[i]) - len(compared[i][0]), int(ends[i]))
            touched: list[Topic] = []
            if event.type == "question":
                topic, opens = room.question(
                    event.data, semantic[rows][0], lexical[rows][0], compared[i][0][0]
                )
                self.stats.questions += 1
                touched = [topic] if topic is not None else []
                if opens:
                    opened.append(float(event.data.get("sent", time.time())))
            elif event.type == "host_line":
                self.stats.host_lines += 1
                data = event.data
                start, text = float(data["start"]), str(data["text"])
                pieces, named = compared[i]
                touched = room.host_line(
                    start, text, semantic[rows], lexical[rows], named, compared=pieces[0]
                )
            elif event.type in ("dismissed", "acknowledged"):
                topic = room.staff_change(event.type, event.data.get("prompt_id"))
                touched = [topic] if topic is not None else []
            for topic in touched:
                changed[event.room_id][topic.prompt_id or ""] = room.view(topic)
        self._store(changed)
        stored = time.time()
        self.stats.open_delays.extend(stored - sent for sent in opened)
        self.stats.delays.extend(
            stored - float(e.data["sent"])
            for e in events
            if e.type == "question" and "sent" in e.data
        )
        self.stats.batches += 1
        self.stats.busy_s += time.perf_counter() - started

    def _room(self, room_id: str) -> RoomPrompts:
        room = self._rooms.get(room_id)
        if room is None:
            room = self._rooms[room_id] = RoomPrompts(self.rules)
        return room

    def dismiss(self, room_id: str, prompt_id: str) -> dict[str, Any] | None:
        """Store a prompt as dismissed and tell the clustering process; None if unknown."""
        return self._change(room_id, prompt_id, "dismissed", {"status": "dismissed"})

    def acknowledge(self, room_id: str, prompt_id: str) -> dict[str, Any] | None:
        """The host has seen the prompt and will answer it; None if unknown."""
        return self._change(room_id, prompt_id, "acknowledged", {"acknowledged": True})

    def _change(
        self, room_id: str, prompt_id: str, kind: str, change: dict[str, Any]
    ) -> dict[str, Any] | None:
        with self.db.session_scope() as session:
            prompts = PromptRepository(session, room_id)
            prompt = prompts.get(prompt_id)
            if prompt is None:
                return None
            view = {**prompt.view, **change}
            prompts.save(view)
        # After the commit: the worker's next save of this prompt builds on it.
        self.publish(Event(type=kind, room_id=room_id, data={"prompt_id": prompt_id}))
        self.bus.publish(PROMPTS_CHANNEL, Event(type="prompts.changed", room_id=room_id))
        return view

    def _store(self, changed: dict[str, dict[str, dict[str, Any]]]) -> None:
        for room_id, views in changed.items():
            try:
                with self.db.session_scope() as session:
                    prompts = PromptRepository(session, room_id)
                    for view in views.values():
                        prompts.save(view)
            except Exception:
                log.warning("host prompts: cannot store room %s", room_id, exc_info=True)
                self._rooms.pop(room_id, None)
                continue
            self.bus.publish(PROMPTS_CHANNEL, Event(type="prompts.changed", room_id=room_id))

    # -- the panel's streams -----------------------------------------------------------------

    @contextlib.contextmanager
    def watch(self, room_id: str) -> Iterator[Watch]:
        """A watch rung whenever the room's prompts change (from any worker)."""
        with self._lock:
            if not self._listening:
                self._listening = True
                self.bus.subscribe(PROMPTS_CHANNEL, self._ring)
        watch = Watch()
        with self._lock:
            self._watches[room_id].add(watch)
        try:
            yield watch
        finally:
            with self._lock:
                self._watches[room_id].discard(watch)

    def _ring(self, event: Event) -> None:
        with self._lock:
            watches = list(self._watches.get(event.room_id, ()))
        for watch in watches:
            watch.ring()


def _compared(event: Event, room: RoomPrompts) -> tuple[list[str], set[str]]:
    """The words the clusterer compares of an event, without product names (a host line's
    pieces), and the SKUs a host line names; a dismissal has no words: its vector is unused."""
    text = str(event.data.get("text") or "-")
    if event.type == "host_line":
        stripped, named = without_names(text, room.product_names)
        return line_pieces(stripped), named
    name = event.data.get("product_name")
    return [without_name(text, str(name)) if name else text], set()

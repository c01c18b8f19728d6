"""Writes never freeze the service: askers and catalog loads at once, on a real database file.

Correctness under concurrency, not timing: every call succeeds, each question leaves its two
messages, the catalog ends whole and its version counts every load. `python -m evals.load`
measures the speed.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from copilot.db import Database, ReadOnlySession
from copilot.loading import load_kb_lines
from copilot.models import Conversation, Message
from copilot.pipeline import ask
from copilot.retrieval import CatalogIndex, RoomIndexes, TranscriptIndex
from copilot.runtime import Copilot
from copilot.schemas import QuestionResult
from knowledge.models import Room
from knowledge.repository import CatalogRepository, RoomRepository
from tests.conftest import MINI, new_room

QUESTIONS = [
    ("龙井多少钱", 30.0),  # answered from the catalog
    ("这个还有货吗", 65.0),  # the product on stage
    ("我的快递到哪了", 90.0),  # own orders
    ("收到的龙井罐子压坏了，我要退款", 60.0),  # escalated: a ticket is written too
    ("哈哈哈哈 666", 40.0),  # ignored, still recorded
]
ASKERS = 6
LOADS = 4  # per loader
JOIN_TIMEOUT_S = 120  # a deadlock fails the test instead of hanging it


def _catalog(step: int) -> tuple[list[str], dict[str, float]]:
    """The mini catalog with every regular price moved by `step` cents."""
    lines, prices = [], {}
    for line in (MINI / "products.jsonl").read_text("utf-8").splitlines():
        record = json.loads(line)
        if "sku" in record:
            record["price"] = round(record["price"] + step / 100, 2)
            prices[record["sku"]] = record["price"]
        lines.append(json.dumps(record, ensure_ascii=False))
    return lines, prices


def _run_together(tasks: list[Callable[[], None]]) -> list[BaseException]:
    """Start every task at once in its own thread; the exceptions they raised."""
    barrier = threading.Barrier(len(tasks))
    errors: list[BaseException] = []

    def run(task: Callable[[], None]) -> None:
        try:
            barrier.wait()
            task()
        except BaseException as exc:  # collected and reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(task,)) for task in tasks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_TIMEOUT_S)
    assert not any(thread.is_alive() for thread in threads), "threads still waiting: a deadlock"
    return errors


def test_askers_and_loads_at_once_all_succeed(any_copilot: Copilot) -> None:
    room = new_room(any_copilot)
    with any_copilot.db.read_scope() as session:
        start_version = RoomRepository(session).kb_version(room)
    assert start_version is not None
    results: list[QuestionResult] = []
    loaded: list[dict[str, float]] = []

    def asker(number: int) -> Callable[[], None]:
        def run() -> None:
            for text, at in QUESTIONS:
                viewer = f"c{number}"
                results.append(ask(any_copilot, room_id=room, viewer_id=viewer, text=text, at=at))

        return run

    def loader(offset: int) -> Callable[[], None]:
        def run() -> None:
            for step in range(offset, offset + LOADS):
                lines, prices = _catalog(step)
                with any_copilot.db.session_scope() as session:
                    load_kb_lines(session, room, lines)
                loaded.append(prices)

        return run

    # Two loaders: on PostgreSQL their kb_version bumps must not be lost to each other.
    errors = _run_together([asker(n) for n in range(ASKERS)] + [loader(1), loader(100)])
    assert not errors, errors
    assert len(results) == ASKERS * len(QUESTIONS)
    assert {r.action for r in results} == {"answer", "escalate", "ignore"}
    assert all(r.ticket_id for r in results if r.action == "escalate")
    with any_copilot.db.read_scope() as session:
        assert RoomRepository(session).kb_version(room) == start_version + 2 * LOADS
        served = {p.sku: p.price for p in CatalogRepository(session, room).products()}
        assert served in loaded  # whole: every price from one and the same load
        counts = session.execute(
            select(Conversation.viewer_id, func.count(Message.id))
            .join(Message, Message.conversation_id == Conversation.id)
            .where(Conversation.room_id == room)
            .group_by(Conversation.viewer_id)
        ).all()
    # Each question and each reply stored once; a reaction the copilot ignores gets no reply.
    replies = 2 * len(QUESTIONS) - sum(r.action == "ignore" for r in results) // ASKERS
    assert dict(counts) == {f"c{n}": replies for n in range(ASKERS)}


def test_http_askers_and_loads_at_once_all_succeed(
    client: TestClient, sqlite_copilot: Copilot
) -> None:
    room = new_room(sqlite_copilot)
    statuses: list[int] = []

    def asker(number: int) -> Callable[[], None]:
        def run() -> None:
            for text, at in QUESTIONS[:3]:  # under the per-viewer burst
                body = {"viewer_id": f"h{number}", "text": text, "at": at}
                statuses.append(client.post(f"/v1/rooms/{room}/questions", json=body).status_code)

        return run

    def loader() -> None:
        for step in range(1, 4):
            lines, _ = _catalog(step)
            response = client.post(f"/v1/rooms/{room}/kb", content="\n".join(lines).encode())
            statuses.append(response.status_code)

    errors = _run_together([asker(n) for n in range(8)] + [loader])
    assert not errors, errors
    assert statuses == [200] * (8 * 3 + 3)
    served = client.get(f"/v1/rooms/{room}").json()
    assert {p["sku"]: p["price"] for p in served["products"]} == _catalog(3)[1]


def test_a_write_after_a_read_survives_a_commit_in_between(tmp_path: Path) -> None:
    # Write sessions begin IMMEDIATE: one that read first is neither overtaken by another
    # commit (a lost update) nor refused ("database is locked", SQLITE_BUSY_SNAPSHOT).
    db = Database(f"sqlite:///{tmp_path / 'c.db'}")
    Room.metadata.create_all(db.engine)
    with db.session_scope() as session:
        session.add(Room(id="r", title="r", kb_version=0))
    bumped = threading.Event()

    def bump() -> None:
        with db.session_scope() as other:
            room = RoomRepository(other).get_or_create("r", lock=True)
            room.kb_version += 1
        bumped.set()

    with db.session_scope() as session:
        room = RoomRepository(session).get("r")
        assert room is not None
        other = threading.Thread(target=bump)
        other.start()  # queues for the write lock this session took at its first query
        assert not bumped.wait(0.3)
        room.kb_version += 10
    other.join(JOIN_TIMEOUT_S)
    assert bumped.is_set()
    with db.read_scope() as session:
        assert RoomRepository(session).kb_version("r") == 11  # neither write lost


def test_reads_do_not_wait_for_a_writer_and_never_write(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'r.db'}")
    Room.metadata.create_all(db.engine)
    with db.session_scope() as writer:
        writer.add(Room(id="r", title="r", kb_version=0))
        writer.flush()  # the write lock is held until this block commits
        with db.read_scope() as reader:  # same thread, another connection: no wait
            assert RoomRepository(reader).get("r") is None  # the last committed state
    with pytest.raises(ReadOnlySession), db.read_scope() as reader:
        reader.add(Room(id="s", title="s", kb_version=0))
        reader.flush()


def test_one_index_build_however_many_ask(sqlite_copilot: Copilot) -> None:
    room = new_room(sqlite_copilot)
    indexes = RoomIndexes(
        sqlite_copilot.embedder, sqlite_copilot.promotion_lines, sqlite_copilot.name_embedder
    )
    built: list[tuple[CatalogIndex, TranscriptIndex]] = []

    def use_index() -> None:
        with sqlite_copilot.db.read_scope() as session:
            version = RoomRepository(session).kb_version(room)
            assert version is not None
            catalog = indexes.catalog(session, room, version)
            built.append((catalog, indexes.transcript(session, room, catalog)))

    assert not _run_together([use_index] * 8)
    assert len({id(catalog) for catalog, _ in built}) == 1
    assert len({id(transcript) for _, transcript in built}) == 1
    first_catalog, first_transcript = built[0]

    lines, _ = _catalog(5)  # prices only: the names the transcript index links are unchanged
    with sqlite_copilot.db.session_scope() as session:
        load_kb_lines(session, room, lines)
    built.clear()
    assert not _run_together([use_index] * 8)
    (catalog, transcript), *others = built
    assert all(c is catalog and t is transcript for c, t in others)
    assert catalog is not first_catalog and transcript is first_transcript
    with sqlite_copilot.db.read_scope() as session:  # a question still on the old snapshot
        assert indexes.catalog(session, room, first_catalog.version) is first_catalog

"""Engine, sessions and migrations: the only place that commits or rolls back.

Two kinds of session. `session_scope()` writes: keep it short (read what the write needs,
write, commit). `read_scope()` reads one consistent snapshot and never writes; slow work
(understanding, retrieval, composition, index builds) belongs there or outside any session.

On SQLite (WAL: readers never wait for the writer, nor it for them) a write transaction
starts with BEGIN IMMEDIATE, so it takes the file's one write lock before it reads: a
deferred transaction that read first and then writes fails at once with "database is
locked" (SQLITE_BUSY_SNAPSHOT) whenever another writer committed in between, whatever the
busy timeout. The writers of this process queue for that lock in arrival order on an
in-process lock rather than poll SQLite's busy handler, which sleeps up to 100 ms a try
while the lock may already be free. So never open a write session inside another in one
thread: it would wait for itself (WriteLockTimeout). PostgreSQL runs the same code; its
row locks do the serialising (see `RoomRepository.get_or_create(lock=True)`).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).parent / "migrations"
# One connection per worker thread: anyio's default thread limiter runs 40 at once (route
# bodies, sync dependencies), and an asker holds its connection for its whole read phase.
# The overflow covers threads outside that limiter (commits in dependency teardown, streams).
POOL_SIZE = 40
POOL_OVERFLOW = 20
WRITE_WAIT_S = 30.0  # longest wait for the write lock (in-process queue, then SQLite's own)
READ_ONLY = "copilot_read_only"  # execution option of read sessions: a plain deferred BEGIN
_HOLDS_WRITE_LOCK = "copilot_holds_write_lock"  # in a pooled connection's info


class WriteLockTimeout(TimeoutError):
    """A write transaction waited longer than WRITE_WAIT_S for SQLite's write lock."""


class ReadOnlySession(RuntimeError):
    """Something tried to write through a session from `read_scope()`."""


class FairLock:
    """A lock granted in arrival order (threading.Lock lets a releaser barge back in)."""

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._held = False
        self._waiters: deque[threading.Lock] = deque()

    def acquire(self, timeout: float) -> bool:
        """Wait up to `timeout` seconds for the lock; True when it is ours."""
        with self._mutex:
            if not self._held:
                self._held = True
                return True
            waiter = threading.Lock()
            waiter.acquire()
            self._waiters.append(waiter)
        if waiter.acquire(timeout=timeout):
            return True  # handed over by release()
        with self._mutex:
            if waiter in self._waiters:
                self._waiters.remove(waiter)
                return False
        return True  # handed over just as the wait timed out

    def release(self) -> None:
        """Hand the lock to the longest waiter, or free it."""
        with self._mutex:
            if self._waiters:
                self._waiters.popleft().release()  # stays held, by the next in line
            else:
                self._held = False


def _serialise_sqlite_writes(engine: Engine) -> None:
    """pysqlite's own BEGIN off; ours: deferred for reads, IMMEDIATE (queued) for writes."""
    writer = FairLock()

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy's "begin" below emits BEGIN
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        # WAL's recommended setting: a commit no longer waits for an fsync (the checkpoint
        # syncs); the file never corrupts, though a power cut may lose the last commits.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        if connection.get_execution_options().get(READ_ONLY):
            connection.exec_driver_sql("BEGIN")
            return
        info = connection.info
        if not info.get(_HOLDS_WRITE_LOCK):  # a connection that commits and goes on has it
            if not writer.acquire(WRITE_WAIT_S):
                raise WriteLockTimeout(
                    f"no write lock on the database in {WRITE_WAIT_S:.0f}s (is a write "
                    "session of this thread still open?)"
                )
            info[_HOLDS_WRITE_LOCK] = True
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")  # other processes: busy timeout
        except BaseException:
            info.pop(_HOLDS_WRITE_LOCK, None)
            writer.release()
            raise

    @event.listens_for(engine, "checkin")
    def _checkin(_dbapi_connection: Any, record: Any) -> None:
        # Back in the pool means committed or rolled back (the pool resets on return).
        if record.info.pop(_HOLDS_WRITE_LOCK, False):
            writer.release()


def make_engine(url: str, pool_size: int = POOL_SIZE) -> Engine:
    """An engine for SQLite (WAL, foreign keys on, writes queued) or PostgreSQL."""
    pool = {"pool_size": pool_size, "max_overflow": POOL_OVERFLOW}
    if url.startswith("sqlite"):
        if ":memory:" in url or url.rstrip("/") == "sqlite:":
            pool = {}  # one connection per thread (SingletonThreadPool): nothing to size
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": WRITE_WAIT_S},
            **pool,
        )
        _serialise_sqlite_writes(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, **pool)


def migrate(engine: Engine) -> None:
    """Bring the schema to the latest Alembic revision."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def _refuse_writes(session: Session, _context: Any, _instances: Any) -> None:
    if session.new or session.dirty or session.deleted:
        raise ReadOnlySession("a read_scope() session cannot write; use session_scope()")


class Database:
    """An engine with its session factories: one for writing, one for reading."""

    def __init__(self, url: str, pool_size: int = POOL_SIZE) -> None:
        self.engine = make_engine(url, pool_size)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.read_sessions = sessionmaker(
            self.engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False
        )
        event.listen(self.read_sessions, "before_flush", _refuse_writes)

    @contextmanager
    def read_scope(self) -> Iterator[Session]:
        """A session that only reads (one snapshot on SQLite); always rolled back."""
        session = self.read_sessions()
        try:
            yield session
        finally:
            session.close()

    @contextmanager
    def session_scope(self) -> Iterator[Session]:
        """A write session, committed on success and rolled back on any error."""
        session = self.sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

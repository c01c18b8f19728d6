"""Erasing a viewer (PIPL) on SQLite and PostgreSQL, and masking numbers in logs."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner
from uvicorn.logging import AccessFormatter

from copilot import models as _copilot_models  # noqa: F401  (registers the copilot tables)
from copilot.accounts import models as _account_models  # noqa: F401
from copilot.cli import app
from copilot.config import get_settings
from copilot.errors import InvalidInput
from copilot.loading import load_order_lines
from copilot.logmask import UVICORN_LOGGERS, MaskingFilter, install_log_masking, mask
from copilot.models import Conversation, Message, Ticket
from copilot.pipeline import ask
from copilot.privacy import ERASURES, RETAINED, ErasureReport, erase_viewer
from copilot.runtime import Copilot
from knowledge.models import Base
from knowledge.repository import OrderRepository
from tests.conftest import new_room
from transcripts.models import TranscriptBase

REPORT_KEYS = {"viewer_id", "conversations", "messages", "tickets", "ticket_events"}


@dataclass
class Held:
    """What the database holds about one viewer, across every room."""

    conversations: int
    messages: int
    tickets: int
    rooms: set[str]
    orders: int


def _held(session: Session, viewer_id: str) -> Held:
    mine = select(Conversation.id).where(Conversation.viewer_id == viewer_id)
    return Held(
        conversations=session.scalar(select(func.count()).select_from(mine.subquery())) or 0,
        messages=session.scalar(
            select(func.count(Message.id)).where(Message.conversation_id.in_(mine))
        )
        or 0,
        tickets=session.scalar(select(func.count(Ticket.id)).where(Ticket.viewer_id == viewer_id))
        or 0,
        rooms=set(
            session.scalars(
                select(Conversation.room_id).where(Conversation.viewer_id == viewer_id)
            ).all()
        ),
        orders=len(OrderRepository(session, viewer_id).recent()),
    )


def _viewer_with_order(copilot: Copilot, prefix: str) -> tuple[str, str]:
    """A fresh viewer id (other tests share the database) with one shipped order."""
    viewer = f"{prefix}-{uuid.uuid4().hex[:8]}"
    tracking = f"SF{uuid.uuid4().int % 10**13:013d}"
    order = {
        "order_id": f"DD{uuid.uuid4().int % 10**12:012d}",
        "viewer_id": viewer,
        "items": [{"sku": "MT-01", "qty": 1}],
        "status": "shipped",
        "carrier": "顺丰速运",
        "tracking_no": tracking,
        "created_at": "2026-11-01T10:00:00+08:00",
        "updated_at": "2026-11-02T09:00:00+08:00",
    }
    with copilot.db.session_scope() as session:
        load_order_lines(session, [json.dumps(order, ensure_ascii=False)])
    return viewer, tracking


def _escalate(copilot: Copilot, room: str, viewer: str) -> str:
    result = ask(copilot, room_id=room, viewer_id=viewer, text="我要转人工", at=90)
    assert result.action == "escalate" and result.ticket_id
    return result.ticket_id


def test_erase_removes_one_viewer_in_every_room_and_keeps_the_rest(
    any_copilot: Copilot,
) -> None:
    first, second = new_room(any_copilot), new_room(any_copilot)
    gone, tracking = _viewer_with_order(any_copilot, "erase")
    kept, kept_tracking = _viewer_with_order(any_copilot, "keep")
    for room in (first, second):
        ask(any_copilot, room_id=room, viewer_id=gone, text="我的快递到哪了", at=90)
        ask(any_copilot, room_id=room, viewer_id=kept, text="我的快递到哪了", at=90)
    gone_tickets = [_escalate(any_copilot, room, gone) for room in (first, second)]
    kept_ticket = _escalate(any_copilot, first, kept)
    with any_copilot.db.session_scope() as session:
        before, kept_before = _held(session, gone), _held(session, kept)
        ticket = session.get(Ticket, gone_tickets[0])
        assert ticket is not None and tracking in json.dumps(ticket.orders)  # the copy erased
    assert before.rooms == {first, second} and before.tickets == 2 and before.orders == 1

    with any_copilot.db.session_scope() as session:
        report = erase_viewer(session, viewer_id=gone)

    assert report.model_dump() == {
        "viewer_id": gone,
        "conversations": before.conversations,
        "messages": before.messages,
        "tickets": before.tickets,
        "ticket_events": report.ticket_events,
    }
    assert report.ticket_events >= report.tickets  # each ticket's trail starts with "created"
    assert report.conversations == 2 and report.messages == 8  # 2 questions, 2 replies a room
    with any_copilot.db.session_scope() as session:
        assert _held(session, gone) == Held(0, 0, 0, set(), orders=1)  # the order stays
        assert _held(session, kept) == kept_before
        assert all(session.get(Ticket, t) is None for t in gone_tickets)
        kept_copy = session.get(Ticket, kept_ticket)
        assert kept_copy is not None and kept_tracking in json.dumps(kept_copy.orders)
        # Nothing left in chat links the erased viewer's order: no ticket copies it.
        copies = session.scalars(select(Ticket.orders)).all()
        assert not any(tracking in json.dumps(orders) for orders in copies)
        # The kept viewer's tickets still have their conversation and history.
        assert (
            kept_copy.conversation_id
            in session.scalars(select(Conversation.id).where(Conversation.viewer_id == kept)).all()
        )


def test_erasing_an_unknown_or_erased_viewer_reports_zeros(any_copilot: Copilot) -> None:
    room = new_room(any_copilot)
    viewer = f"erase-{uuid.uuid4().hex[:8]}"
    ask(any_copilot, room_id=room, viewer_id=viewer, text="龙井多少钱", at=30)
    with any_copilot.db.session_scope() as session:
        assert erase_viewer(session, viewer_id=viewer).messages == 2
    for target in (viewer, f"never-{uuid.uuid4().hex[:8]}"):
        with any_copilot.db.session_scope() as session:
            report = erase_viewer(session, viewer_id=target)
        assert report.model_dump() == {
            "viewer_id": target,
            "conversations": 0,
            "messages": 0,
            "tickets": 0,
            "ticket_events": 0,
        }
    with any_copilot.db.session_scope() as session, pytest.raises(InvalidInput):
        erase_viewer(session, viewer_id="  ")


def test_erasure_is_part_of_the_callers_transaction(sqlite_copilot: Copilot) -> None:
    room = new_room(sqlite_copilot)
    viewer = f"erase-{uuid.uuid4().hex[:8]}"
    _escalate(sqlite_copilot, room, viewer)

    class Abort(Exception):
        pass

    with pytest.raises(Abort), sqlite_copilot.db.session_scope() as session:
        assert erase_viewer(session, viewer_id=viewer).tickets == 1
        raise Abort  # the scope rolls back: the service itself never commits
    with sqlite_copilot.db.session_scope() as session:
        held = _held(session, viewer)
    assert (held.conversations, held.messages, held.tickets) == (1, 2, 1)


def test_every_table_holding_viewer_data_is_erased_or_retained_on_purpose() -> None:
    erased = [e.table for e in ERASURES]
    tables = {**Base.metadata.tables, **TranscriptBase.metadata.tables}
    assert set(erased) <= set(tables) and not set(erased) & set(RETAINED)
    # A table is the viewer's when it names the viewer or points at a row that is theirs.
    personal = {name for name, table in tables.items() if "viewer_id" in table.c}
    grew = True
    while grew:
        linked = {
            name
            for name, table in tables.items()
            if any(fk.column.table.name in personal - set(RETAINED) for fk in table.foreign_keys)
        }
        grew = not linked <= personal
        personal |= linked
    assert personal == set(erased) | set(RETAINED)
    # Children go first, or the parent's delete would break their foreign keys.
    for position, name in enumerate(erased):
        parents = {fk.column.table.name for fk in tables[name].foreign_keys}
        assert not parents & set(erased[:position]), f"{name} is erased after its parent"
    # The report's declared counts are erased tables; a table added later reports its count
    # under its own name without a declared field.
    assert set(ErasureReport.model_fields) - {"viewer_id"} <= set(erased)
    later = ErasureReport.model_validate({"viewer_id": "v", "ticket_notes": 3})
    assert later.model_dump()["ticket_notes"] == 3


@pytest.fixture
def cli_env(
    any_copilot: Copilot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Copilot]:
    """The CLI's settings: a fresh COPILOT_HOME, the test copilot's database."""
    monkeypatch.setenv("COPILOT_HOME", str(tmp_path))
    monkeypatch.setenv("COPILOT_DATABASE_URL", any_copilot.settings.resolved_database_url)
    get_settings.cache_clear()
    yield any_copilot
    get_settings.cache_clear()


def test_cli_viewer_erase(cli_env: Copilot) -> None:
    room = new_room(cli_env)
    viewer = f"erase-{uuid.uuid4().hex[:8]}"
    _escalate(cli_env, room, viewer)
    runner = CliRunner()

    result = runner.invoke(app, ["viewer", "erase", viewer])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report == {
        "viewer_id": viewer,
        "conversations": 1,
        "messages": 2,
        "tickets": 1,
        "ticket_events": 1,
    }
    with cli_env.db.session_scope() as session:
        assert _held(session, viewer).conversations == 0

    again = runner.invoke(app, ["viewer", "erase", viewer])
    assert again.exit_code == 0 and set(json.loads(again.stdout)) == REPORT_KEYS
    assert json.loads(again.stdout)["conversations"] == 0

    blank = runner.invoke(app, ["viewer", "erase", " "])
    assert blank.exit_code == 2 and "viewer_id is required" in blank.stderr


# --- logs -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("13812345678", "*******5678"),
        ("电话13812345678谢谢", "电话*******5678谢谢"),
        ("+86 138 1234 5678", "+** *** **** 5678"),
        ("0086-138-1234-5678", "****-***-****-5678"),
        ("call +44 20 7946 0958", "call +** ** **** 0958"),
        ("(415) 555-0132", "(***) ***-0132"),
        ("+1 415-555-0132", "+1 ***-***-0132"),
        ("010-12345678", "***-****5678"),
        ("单号SF1234567890123到哪了", "单号***********0123到哪了"),
        ("YT9876543210987 JDVA00123456789", "***********0987 ***********6789"),
        ("ups 1Z999AA10123456784", "ups **************6784"),
        ("ems EA123456789CN", "ems *********89CN"),
        ("773456789012345", "***********2345"),
        ("no=SF1234567890123&tel=%2B86%20138%201234%205678", None),
        ("q=%E7%94%B5%E8%AF%9D13812345678", "q=%E7%94%B5%E8%AF%9D*******5678"),
    ],
)
def test_numbers_are_masked_but_for_the_last_four(text: str, masked: str | None) -> None:
    out = mask(text)
    if masked is not None:
        assert out == masked
    assert mask(out) == out  # masking twice changes nothing
    digits = [c for c in text if c.isdigit()]
    assert sum(c.isdigit() for c in out) < len(digits)


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-01T10:00:00+08:00",
        "2026-11-01 10:00:00,123 INFO",
        '127.0.0.1:54321 - "GET /v1/healthz HTTP/1.1" 200',
        "uvicorn 0.54.0 on port 8000, pid [12345], 12.5 ms, 0.30000000000000004",
        "ticket 1a2b3c4d5e6f in room t-1234abcd, order of 12345678",
    ],
)
def test_ordinary_log_text_is_left_alone(text: str) -> None:
    assert mask(text) == text


@pytest.fixture
def masking() -> Iterator[MaskingFilter]:
    """The masking filter installed, and removed again after the test."""
    installed = install_log_masking()
    access = logging.getLogger("uvicorn.access")
    propagate = access.propagate
    access.propagate = True  # uvicorn turns it off when it configures logging; caplog is on root
    yield installed
    access.propagate = propagate
    for name in ("", *UVICORN_LOGGERS):
        logger = logging.getLogger(name)
        for filterer in (logger, *logger.handlers):
            filterer.removeFilter(installed)


def test_log_records_are_masked(masking: MaskingFilter, caplog: pytest.LogCaptureFixture) -> None:
    install_log_masking()  # again: attaches nothing twice
    assert sum(isinstance(f, MaskingFilter) for f in caplog.handler.filters) == 1
    log = logging.getLogger("copilot.test_privacy")
    with caplog.at_level(logging.INFO):
        log.info("viewer %s asked about %s", "13812345678", "SF1234567890123")
        log.info("parcel %d for %r", 773456789012345, {"phone": "+86 138 1234 5678"})
        try:
            raise ValueError("bad number 13912345678")
        except ValueError:
            log.exception("lookup of YT9876543210987 failed")
    text = caplog.text
    for secret in ("13812345678", "SF1234567890123", "773456789012345", "1234 5678"):
        assert secret not in text
    assert "13912345678" not in text and "*******5678" in text
    assert "***********0123" in text and "***********2345" in text and "YT" not in text
    assert "Traceback" in text and "ValueError" in text  # the traceback is kept, masked


def test_uvicorn_access_log_is_masked(
    masking: MaskingFilter, caplog: pytest.LogCaptureFixture
) -> None:
    path = "/v1/track?no=SF1234567890123&tel=%2B86%20138%201234%205678"
    with caplog.at_level(logging.INFO, logger="uvicorn.access"):
        logging.getLogger("uvicorn.access").info(
            '%s - "%s %s HTTP/%s" %d', "127.0.0.1:54321", "GET", path, "1.1", 200
        )
    record = caplog.records[-1]
    # Still the five arguments uvicorn's formatter unpacks, the status still an int.
    assert isinstance(record.args, tuple) and len(record.args) == 5 and record.args[4] == 200
    line = AccessFormatter(
        '%(client_addr)s - "%(request_line)s" %(status_code)s', use_colors=False
    ).format(record)
    assert line == (
        '127.0.0.1:54321 - "GET /v1/track?no=***********0123'
        '&tel=%2B**%20***%20****%205678 HTTP/1.1" 200 OK'
    )


def test_query_tokens_never_reach_the_logs() -> None:
    line = 'GET /v1/rooms/demo/recording.wav?start=3&token=eyJhbGciOi.e30.sig HTTP/1.1" 200'
    masked = mask(line)
    assert "eyJhbGciOi" not in masked and "token=***" in masked and "start=3" in masked

"""Request dependencies: the copilot, its audio archive and a committed-or-rolled-back session."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.requests import HTTPConnection
from sqlalchemy.orm import Session

from copilot.runtime import Copilot
from transcripts.archive import AudioArchive

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def get_copilot(request: Request) -> Copilot:
    """The Copilot built once in the app's lifespan."""
    copilot: Copilot = request.app.state.copilot
    return copilot


CopilotDep = Annotated[Copilot, Depends(get_copilot)]


def get_archive(copilot: CopilotDep) -> AudioArchive:
    """The copilot's audio archive, or a reader over the same folder while it has none."""
    archive: AudioArchive | None = getattr(copilot, "archive", None)
    # A reader holds no state beyond the folder, so one per request costs nothing.
    return archive if archive is not None else AudioArchive(copilot.settings.audio_dir)


ArchiveDep = Annotated[AudioArchive, Depends(get_archive)]


READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_session(copilot: CopilotDep, connection: HTTPConnection) -> Iterator[Session]:
    """One session per request: GET and HEAD read a snapshot; others commit or roll back.

    A writing request takes SQLite's write lock at its first query (copilot/db.py), so
    reads must not: a dashboard's GETs never queue behind a catalog load, nor it behind them.
    FastAPI runs the commit of this teardown on a thread of its own, not one of the 40 the
    route bodies share, so a full pool of askers cannot hold it up.
    """
    reads = connection.scope.get("method") in READING_METHODS
    with copilot.db.read_scope() if reads else copilot.db.session_scope() as session:
        yield session


# scope="function": commit before the response is sent, so a read right after a write sees it.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


async def jsonl_body(request: Request) -> list[str]:
    """The request body as UTF-8 lines, bounded in size."""
    body = await request.body()
    if len(body) > MAX_UPLOAD_BYTES:
        raise HTTPException(413, f"body is {len(body)} bytes; the limit is {MAX_UPLOAD_BYTES}")
    try:
        return body.decode("utf-8").splitlines()
    except UnicodeDecodeError as exc:
        raise HTTPException(400, f"body is not UTF-8 (byte {exc.start})") from exc


JsonlDep = Annotated[list[str], Depends(jsonl_body)]

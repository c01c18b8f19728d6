"""Replaying the stream: the page at a second, the recorded audio, the transcript around it."""

from __future__ import annotations

import math
import re
from typing import Annotated

from fastapi import APIRouter, Header, Query
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel

from api.deps import ArchiveDep, SessionDep
from api.errors import error_responses
from api.pages import error_page, page
from api.security import PublicRoute, requires
from copilot.accounts.policy import WATCH_STREAM
from copilot.errors import InvalidInput, NotFound
from knowledge.repository import RoomRepository
from transcripts.archive import MAX_READ_S
from transcripts.records import MAX_STREAM_S, SegmentRecord
from transcripts.store import TranscriptRepository

router = APIRouter(tags=["replay"])
# Bounded above too: `start=1e308` would overflow the archive's sample arithmetic.
Seconds = Annotated[
    float,
    Query(ge=0, le=MAX_STREAM_S, allow_inf_nan=False, description="second of the stream"),
]
_WAV = {"audio/wav": {"schema": {"type": "string", "format": "binary"}}}
_CONTENT_RANGE = {"Content-Range": {"schema": {"type": "string"}}}
BYTE_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


class Recording(BaseModel):
    """The span of a room's recorded audio, in seconds of the stream."""

    room: str
    start: float
    end: float


@router.get("/replay/{room}", include_in_schema=False, dependencies=[PublicRoute])
def replay_page(room: str, session: SessionDep, archive: ArchiveDep, t: str = "0") -> HTMLResponse:
    """The replay page: the recording from second `t`, the transcript around it."""
    try:
        seconds = float(t)
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds) or seconds < 0:
        return error_page(422, f"t must be a number of seconds, 0 or more; got {t!r}")
    if RoomRepository(session).get(room) is None and archive.extent(room) is None:
        return error_page(404, f"unknown room {room!r}")
    return page("replay.html")


@router.get("/v1/rooms/{room}/recording", dependencies=[requires(WATCH_STREAM)])
def get_recording(room: str, archive: ArchiveDep) -> Recording:
    """The first and last recorded second of the room's stream audio (404 if none)."""
    extent = archive.extent(room)
    if extent is None:
        raise NotFound(f"no recording for room {room!r}")
    return Recording(room=room, start=extent[0], end=extent[1])


@router.get(
    "/v1/rooms/{room}/recording.wav",
    dependencies=[requires(WATCH_STREAM)],
    response_class=Response,
    responses={
        200: {"description": "The WAV of the range.", "content": _WAV},
        206: {
            "description": "The byte `Range` asked for.",
            "content": _WAV,
            "headers": _CONTENT_RANGE,
        },
        **error_responses(416),
    },
)
def get_recording_wav(
    room: str,
    archive: ArchiveDep,
    start: Seconds = 0,
    end: Seconds | None = None,
    range_header: Annotated[str | None, Header(alias="Range")] = None,
) -> Response:
    """The recording from `start` to `end` as a 16 kHz mono WAV.

    The range is clamped to what was recorded, gaps are silence, and at most 15 minutes are
    served (`end` defaults to that). 404 when nothing in the range was recorded. A byte
    `Range` header is honoured so that players can seek.
    """
    try:
        wav = archive.read_wav(room, start, start + MAX_READ_S if end is None else end)
    except LookupError as exc:
        raise NotFound(str(exc)) from exc
    except ValueError as exc:
        raise InvalidInput(str(exc)) from exc
    return _byte_range(wav, range_header, media_type="audio/wav")


@router.get("/v1/rooms/{room}/transcript", dependencies=[requires(WATCH_STREAM)])
def get_transcript(
    room: str, session: SessionDep, start: Seconds = 0, end: Seconds | None = None
) -> list[SegmentRecord]:
    """Transcript segments overlapping `start`..`end` (default: to the end), by start time."""
    if RoomRepository(session).get(room) is None:
        raise NotFound(f"unknown room {room!r}")
    if end is not None and end < start:
        raise InvalidInput(f"end ({end:g}) is before start ({start:g})")
    segments = TranscriptRepository(session, room).between(start, end)
    return [
        SegmentRecord(start=s.start, end=s.end, text=s.text, speaker=s.speaker) for s in segments
    ]


def _byte_range(body: bytes, header: str | None, *, media_type: str) -> Response:
    """The body, or the one byte range asked for (206); several ranges get the whole body."""
    match = BYTE_RANGE.fullmatch(header.strip()) if header else None
    if match is None or not (match[1] or match[2]):
        return Response(body, media_type=media_type, headers={"Accept-Ranges": "bytes"})
    size = len(body)
    if match[1]:
        first, last = int(match[1]), min(int(match[2] or size - 1), size - 1)
    else:  # "bytes=-N": the last N bytes
        first, last = max(0, size - int(match[2])), size - 1
    if first > last:
        return JSONResponse(
            {"error": f"range {header!r} is outside the {size} bytes"},
            status_code=416,
            headers={"Content-Range": f"bytes */{size}"},
        )
    return Response(
        body[first : last + 1],
        status_code=206,
        media_type=media_type,
        headers={"Accept-Ranges": "bytes", "Content-Range": f"bytes {first}-{last}/{size}"},
    )

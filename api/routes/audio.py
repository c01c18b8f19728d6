"""Audio in: the host's live stream over a WebSocket, and viewers' voice questions."""

from __future__ import annotations

import asyncio
import json
from functools import partial
from typing import Annotated, Any

from anyio import CapacityLimiter, to_thread
from fastapi import APIRouter, File, Form, Request, UploadFile, WebSocket, WebSocketDisconnect
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError

from api.deps import CopilotDep
from api.routes.questions import result_for
from api.security import Asker, requires, viewer_for
from copilot.accounts.policy import STREAM_AUDIO
from copilot.errors import CopilotError, PayloadTooLarge
from copilot.live import LiveStream
from copilot.runtime import Copilot
from copilot.schemas import QuestionResult
from copilot.voice import ask_by_voice
from transcripts.asr.streaming import Update
from transcripts.records import MAX_STREAM_S

router = APIRouter(prefix="/v1/rooms/{room}", tags=["audio"])

MAX_FRAME_BYTES = 64_000  # 2 s of 16 kHz s16 mono per binary frame
MAX_VOICE_UPLOAD_BYTES = 10 * 1024 * 1024
VOICE_THREADS = CapacityLimiter(2)  # voice questions decoding at once (2 cores)
# Credit-based back-pressure: each ack tells the client how much audio waits for decoding, and
# clients that can wait (files) hold back beyond this. The server never stops reading: a
# stalled socket stops answering keepalive pings, and a live host cannot slow down anyway.
BACKPRESSURE_LAG_S = 5.0
METRICS_EVERY_S = 5.0
# Close codes in the 4000 range mirror HTTP statuses (RFC 6455 leaves them to applications).
CLOSE_BAD_REQUEST = 4400
CLOSE_NOT_FOUND = 4404


class StreamStart(BaseModel):
    """The first message of an audio stream."""

    type: str = Field(pattern="^start$")
    sample_rate: int = Field(default=16_000, ge=16_000, le=16_000)
    channels: int = Field(default=1, ge=1, le=1)
    format: str = Field(default="s16le", pattern="^s16le$")
    language: str | None = Field(default=None, pattern="^(zh|en)$")
    clock_start: float | None = Field(default=None, ge=0, le=MAX_STREAM_S, allow_inf_nan=False)


class VoiceQuestionOut(BaseModel):
    """A voice question: what was heard, and the result object for it."""

    transcript: str
    language: str
    duration: float
    result: QuestionResult


class _Session:
    """One WebSocket audio stream: a reader, a recogniser worker, one writer lock."""

    def __init__(self, websocket: WebSocket, stream: LiveStream) -> None:
        self.websocket = websocket
        self.stream = stream
        self.arrived = asyncio.Event()
        self.stopping = False
        self.send_lock = asyncio.Lock()
        self.worker: asyncio.Task[None] | None = None

    async def send(self, message: dict[str, Any]) -> None:
        async with self.send_lock:
            await self.websocket.send_json(message)

    async def send_update(self, update: Update) -> None:
        for segment in update.finals:
            await self.send({"type": "segment", **segment.record()})
        if update.partial is not None:
            partial = update.partial
            await self.send(
                {"type": "partial", "start": round(partial.start, 2), "text": partial.text}
            )

    async def recognise(self) -> None:
        """Decode whenever audio has arrived, off the event loop, until the stream stops."""
        last_metrics = 0.0
        while not self.stopping:
            await self.arrived.wait()
            self.arrived.clear()
            update = await run_in_threadpool(self.stream.process_iter)
            await self.send_update(update)
            if self.stream.position - last_metrics >= METRICS_EVERY_S:
                last_metrics = self.stream.position
                await self.send({"type": "metrics", **self.stream.metrics.as_dict()})

    async def read(self) -> None:
        """Take binary frames until a stop message; waits while decoding is far behind."""
        sequence = 0
        while True:
            message = await self.websocket.receive()
            if message["type"] == "websocket.disconnect":
                raise WebSocketDisconnect(message.get("code", 1000))
            if message.get("text") is not None:
                if _message_type(message["text"]) == "stop":
                    return
                raise _Refused("only a stop message may follow the start; audio goes in binary")
            frame: bytes = message.get("bytes") or b""
            if len(frame) % 2 or len(frame) > MAX_FRAME_BYTES:
                raise _Refused(
                    f"frame {sequence}: {len(frame)} bytes; frames are whole 16-bit samples, "
                    f"at most {MAX_FRAME_BYTES} bytes"
                )
            self.stream.feed_pcm(frame)
            self.arrived.set()
            sequence += 1
            lag = self.stream.metrics.lag
            await self.send(
                {
                    "type": "ack",
                    "seq": sequence,
                    "received": round(self.stream.position, 3),
                    "lag": round(lag, 3),
                }
            )
            if self.worker is not None and self.worker.done():
                self.worker.result()  # the recogniser died: surface its error


class _Refused(Exception):
    """A protocol violation: reported, then the socket is closed."""


def _message_type(text: str) -> str | None:
    try:
        body = json.loads(text)
    except json.JSONDecodeError:
        return None
    return body.get("type") if isinstance(body, dict) else None


async def _start(websocket: WebSocket, copilot: Copilot, room: str) -> LiveStream | None:
    """Read and check the start message; report why a stream is refused."""
    try:
        start = StreamStart.model_validate_json(await websocket.receive_text())
        return await run_in_threadpool(
            LiveStream, copilot, room, clock_start=start.clock_start, language=start.language
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        message, code = f"start message: {where}: {first['msg']}", CLOSE_BAD_REQUEST
    except CopilotError as exc:
        message = exc.message
        code = CLOSE_NOT_FOUND if exc.status_code == 404 else CLOSE_BAD_REQUEST
    except (KeyError, RuntimeError):  # a binary frame before the start message
        message, code = "the first message must be a JSON start message", CLOSE_BAD_REQUEST
    await websocket.send_json({"type": "error", "status": code - 4000, "error": message})
    await websocket.close(code=code)
    return None


@router.websocket("/audio", dependencies=[requires(STREAM_AUDIO)])
async def audio_stream(websocket: WebSocket, room: str) -> None:
    """The host's live audio (a host token of the room, or admin): see docs/api.md."""
    await websocket.accept()
    copilot: Copilot = websocket.app.state.copilot
    stream = await _start(websocket, copilot, room)
    if stream is None:
        return
    session = _Session(websocket, stream)
    await session.send(
        {
            "type": "ready",
            "room": room,
            "clock_start": round(stream.clock_start, 3),
            "max_frame_bytes": MAX_FRAME_BYTES,
            "max_lag": BACKPRESSURE_LAG_S,
        }
    )
    session.worker = asyncio.create_task(session.recognise())
    refused: _Refused | None = None
    gone = False
    try:
        await session.read()
    except WebSocketDisconnect:
        gone = True
    except _Refused as exc:
        refused = exc
    session.stopping = True
    session.arrived.set()
    try:
        await session.worker
    except WebSocketDisconnect:  # the host left while the recogniser was sending to them
        gone = True
    # Whatever ended the stream, the host's last words are committed and stored.
    last = await run_in_threadpool(stream.finish)
    if gone:
        return
    if refused is not None:
        await session.send({"type": "error", "status": 400, "error": str(refused)})
        await websocket.close(code=CLOSE_BAD_REQUEST)
        return
    await session.send_update(last)
    metrics = stream.metrics.as_dict()
    await session.send({"type": "stopped", "segments": stream.stats.segments, "metrics": metrics})
    await websocket.close()


@router.post("/voice-questions", response_model=None, responses={200: {"model": VoiceQuestionOut}})
async def post_voice_question(
    room: str,
    request: Request,
    copilot: CopilotDep,
    principal: Asker,
    audio: Annotated[UploadFile, File(description="Up to 30 s of audio in any common format.")],
    viewer_id: Annotated[
        str | None, Form(min_length=1, max_length=64, description="Admin tokens only.")
    ] = None,
    at: Annotated[
        float | None,
        Form(ge=0, le=MAX_STREAM_S, allow_inf_nan=False, description="Moment of the stream (s)."),
    ] = None,
) -> JSONResponse:
    """Transcribe a viewer's spoken question and answer it like a typed one."""
    viewer_id = viewer_for(principal, viewer_id)
    copilot.check_question_rate(room, viewer_id)
    data = await audio.read(MAX_VOICE_UPLOAD_BYTES + 1)
    if len(data) > MAX_VOICE_UPLOAD_BYTES:
        raise PayloadTooLarge(f"the upload is over {MAX_VOICE_UPLOAD_BYTES} bytes")
    # Whisper holds a thread for seconds: voice questions take turns on threads of their own
    # so that they never fill the few that typed questions share.
    answer = await to_thread.run_sync(
        partial(
            ask_by_voice,
            copilot,
            room_id=room,
            viewer_id=viewer_id,
            data=data,
            at=at,
            base_url=str(request.base_url),
        ),
        limiter=VOICE_THREADS,
    )
    heard = {
        "transcript": answer.transcript,
        "language": answer.language,
        "duration": answer.duration,
    }
    return JSONResponse({**heard, "result": result_for(principal, answer.result)})

"""The demo's live host: a spoken script streamed through the room's audio WebSocket.

`copilot demo` speaks evals/datasets/demo/host_live.txt with espeak-ng once, then sends it
to the running server as a live encoder would, so the room's transcript grows while you watch.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import threading
import time
import urllib.error
import urllib.request
import wave
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from websockets.exceptions import ConnectionClosed, InvalidHandshake
from websockets.sync.client import ClientConnection, connect

from copilot.errors import CopilotError, InvalidInput
from transcripts.records import SegmentRecord

HOST_SCRIPT = Path(__file__).resolve().parent.parent / "evals/datasets/demo/host_live.txt"
# espeak-ng's Klatt voice says prices so that Whisper writes them back ("59", "199"); with
# the default voice a final "nine" comes back as "high".
VOICE = "en-us+klatt"
WORDS_PER_MINUTE = 150
PAUSE_S = 2.0  # silence after each line, so that each line ends an utterance
SAMPLE_RATE = 16_000
SAMPLE_BYTES = 2  # s16le mono, the only format the audio WebSocket takes
BYTES_PER_S = SAMPLE_RATE * SAMPLE_BYTES
FRAME_S = 0.1
OPEN_TIMEOUT_S = 10.0
READY_TIMEOUT_S = 30.0  # the server reads the room and its hotwords before "ready"
# After "stop" the server decodes its backlog (a live sender's can reach the 60 s at which the
# recogniser skips ahead) and the rest of the last utterance.
STOP_TIMEOUT_S = 120.0
DEFAULT_MAX_LAG_S = 5.0  # the credit limit when the server's "ready" names none
# A waiting sender learns the server's backlog only from acks. A decoder output means the
# server took its whole backlog, so one frame then asks for a fresh ack; silence yields no
# output, so without one a frame asks this often (each probe adds 100 ms to the backlog).
CREDIT_PROBE_S = 1.0
HEALTH_POLL_S = 0.5

MessageHandler = Callable[[dict[str, Any]], None]


class StreamRefused(CopilotError):
    """The server would not take the audio stream, or broke it off."""

    status_code = 502


@dataclass(frozen=True)
class StreamReport:
    """What the server made of a streamed recording."""

    clock_start: float
    segments: list[SegmentRecord]
    metrics: dict[str, Any]


def script_lines(text: str) -> list[str]:
    """The spoken lines of a host script: one a line, blank and # lines skipped."""
    stripped = (line.strip() for line in text.splitlines())
    return [line for line in stripped if line and not line.startswith("#")]


def demo_host_audio(cache_dir: Path, script: Path = HOST_SCRIPT) -> Path | None:
    """The script spoken into a WAV under `cache_dir`, synthesised once per script and voice."""
    from evals.host_script import espeak_available, synthesize_lines

    if not espeak_available():
        print(
            "no live host stream: espeak-ng is not installed (apt-get install espeak-ng)",
            file=sys.stderr,
        )
        return None
    text = script.read_text("utf-8")
    key = hashlib.sha256(f"{VOICE} {WORDS_PER_MINUTE} {PAUSE_S}\n{text}".encode()).hexdigest()
    target = cache_dir / f"host-live-{key[:16]}.wav"
    if target.exists():
        return target
    lines = script_lines(text)
    # A name of its own per process: two demos starting at once never share a half-written file.
    partial = cache_dir / f".{target.stem}.{os.getpid()}.wav"
    try:
        synthesize_lines(
            lines, partial, [PAUSE_S] * len(lines), voice=VOICE, speed=WORDS_PER_MINUTE
        )
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def wait_for_health(base_url: str, timeout_s: float) -> bool:
    """Whether the server at `base_url` answers /healthz within `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base_url.rstrip('/')}/healthz", timeout=2) as reply:
                if reply.status == 200:
                    return True
        except (urllib.error.URLError, OSError):
            pass  # not listening yet
        time.sleep(HEALTH_POLL_S)
    return False


def audio_url(base_url: str, room: str) -> str:
    """The room's audio WebSocket under an http(s) base URL."""
    parts = urlsplit(base_url)
    scheme = {"http": "ws", "https": "wss"}.get(parts.scheme, parts.scheme)
    path = f"{parts.path.rstrip('/')}/v1/rooms/{quote(room, safe='')}/audio"
    return urlunsplit((scheme, parts.netloc, path, "", ""))


def read_pcm(wav_path: Path) -> bytes:
    """The samples of a 16 kHz mono 16-bit WAV, as the audio WebSocket takes them."""
    try:
        with wave.open(str(wav_path), "rb") as wav:
            shape = (wav.getframerate(), wav.getnchannels(), wav.getsampwidth())
            if shape != (SAMPLE_RATE, 1, SAMPLE_BYTES):
                raise InvalidInput(
                    f"{wav_path}: {shape[0]} Hz, {shape[1]} channel(s), {8 * shape[2]}-bit; "
                    f"the live stream takes {SAMPLE_RATE} Hz mono 16-bit",
                    path=str(wav_path),
                )
            return wav.readframes(wav.getnframes())
    except (wave.Error, EOFError) as exc:
        raise InvalidInput(f"{wav_path} is not a PCM WAV file: {exc}", path=str(wav_path)) from exc


class _Reader(threading.Thread):
    """Takes the server's messages as they come, so that reading never delays the next frame."""

    def __init__(self, connection: ClientConnection, on_message: MessageHandler | None) -> None:
        super().__init__(name="audio-stream-reader", daemon=True)
        self.connection = connection
        self.on_message = on_message
        self.segments: list[SegmentRecord] = []
        self.stopped: dict[str, Any] | None = None
        self.error: str | None = None
        self.failure: BaseException | None = None
        self.changed = threading.Condition()
        self.lag = 0.0  # undecoded audio the server reported last (s)
        self.acked = 0.0  # stream seconds the server had received by its last ack
        self.progress = 0  # decoder outputs seen: each may mean the backlog fell

    def run(self) -> None:
        try:
            for raw in self.connection:
                message = json.loads(raw)
                if self.on_message is not None:
                    self.on_message(message)
                self._take(message)
        except ConnectionClosed as exc:
            self.error = self.error or f"the connection broke off ({exc})"
        except BaseException as exc:  # handed to the sending thread, which re-raises it
            self.failure = exc
        with self.changed:
            self.changed.notify_all()

    def _take(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        with self.changed:
            if kind == "ack":
                self.lag, self.acked = float(message["lag"]), float(message["received"])
            elif kind == "metrics":
                self.lag = float(message.get("lag", self.lag))
            if kind in ("segment", "partial", "metrics"):
                self.progress += 1
            self.changed.notify_all()
        if kind == "segment":
            self.segments.append(SegmentRecord.model_validate(message))
        elif kind == "stopped":
            self.stopped = message
        elif kind == "error":
            self.error = f"{message.get('status')} {message.get('error')}"

    @property
    def broken(self) -> bool:
        return self.error is not None or self.failure is not None

    def wait_for_credit(self, sent: float, max_lag: float) -> None:
        """Hold the next frame while the backlog, frames in flight included, is over max_lag."""
        # Only an ack tells the backlog, and only a frame gets an ack: after a decoder output
        # (the backlog has likely fallen) or CREDIT_PROBE_S of silence, one frame goes to ask.
        deadline = time.monotonic() + CREDIT_PROBE_S
        with self.changed:
            progress = self.progress
            while (
                not self.broken
                and self.progress == progress
                and self.lag + max(0.0, sent - self.acked) > max_lag
            ):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return
                self.changed.wait(remaining)


def stream_wav(
    base_url: str,
    room: str,
    wav_path: Path,
    realtime: bool = True,
    language: str | None = "en",
    on_message: MessageHandler | None = None,
    *,
    token: str | None = None,
) -> StreamReport:
    """Send a WAV to the room's live audio WebSocket in 100 ms frames, then stop and report.

    With `realtime`, frame i leaves at start + i * 100 ms of wall time, as a live host's
    would, however far behind the recogniser is. Otherwise frames go as fast as the server's
    credit allows: none while more than its `max_lag` of audio waits to be decoded.
    `on_message` sees every server message (from another thread); `token` is a host or admin
    token. Raises StreamRefused when the server refuses or breaks off the stream.
    """
    pcm = read_pcm(wav_path)
    url = audio_url(base_url, room)
    frame_bytes = round(FRAME_S * SAMPLE_RATE) * SAMPLE_BYTES
    try:
        # No deflate: PCM hardly compresses, and the server would spend CPU the decoder needs.
        headers = {"Authorization": f"Bearer {token}"} if token else None
        connection = connect(
            url, open_timeout=OPEN_TIMEOUT_S, compression=None, additional_headers=headers
        )
    except (OSError, TimeoutError, InvalidHandshake) as exc:
        raise StreamRefused(f"cannot open {url}: {exc}", url=url) from exc
    with connection:
        start: dict[str, Any] = {"type": "start"}
        if language is not None:
            start["language"] = language
        try:
            connection.send(json.dumps(start))
            ready = json.loads(connection.recv(timeout=READY_TIMEOUT_S))
        except (ConnectionClosed, TimeoutError) as exc:
            raise StreamRefused(f"{url} did not accept the stream: {exc}", url=url) from exc
        if on_message is not None:
            on_message(ready)
        if ready.get("type") != "ready":
            raise StreamRefused(
                f"the server refused the stream to room {room!r}: "
                f"{ready.get('status')} {ready.get('error', ready)}",
                url=url,
            )
        clock_start = float(ready["clock_start"])
        max_lag = float(ready.get("max_lag", DEFAULT_MAX_LAG_S))
        reader = _Reader(connection, on_message)
        reader.acked = clock_start
        reader.start()
        started = time.monotonic()
        try:
            for index, offset in enumerate(range(0, len(pcm), frame_bytes)):
                if reader.broken:
                    break
                if realtime:
                    # Each frame has its own due time, so the time spent sending never adds up.
                    time.sleep(max(0.0, started + index * FRAME_S - time.monotonic()))
                else:
                    reader.wait_for_credit(clock_start + offset / BYTES_PER_S, max_lag)
                connection.send(pcm[offset : offset + frame_bytes])
            if not reader.broken:
                connection.send(json.dumps({"type": "stop"}))
        except ConnectionClosed:
            pass  # the reader has the server's reason, or notices the break
        reader.join(STOP_TIMEOUT_S)
    if reader.failure is not None:
        raise reader.failure
    if reader.error is not None:
        raise StreamRefused(f"the server ended the stream: {reader.error}", url=url)
    if reader.stopped is None:
        raise StreamRefused(f"no 'stopped' from the server within {STOP_TIMEOUT_S:g} s", url=url)
    return StreamReport(
        clock_start=clock_start,
        segments=reader.segments,
        metrics=dict(reader.stopped.get("metrics", {})),
    )

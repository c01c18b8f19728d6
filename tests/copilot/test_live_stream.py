"""The live path end to end: host audio over the WebSocket, then questions that cite it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import pytest
from fastapi.testclient import TestClient
from faster_whisper.audio import decode_audio

from copilot.loading import load_kb_lines
from copilot.runtime import Copilot
from evals.host_script import espeak_available, synthesize_lines, write_wav
from tests.conftest import MINI, bearer
from transcripts.audio import float_to_pcm16
from transcripts.store import TranscriptRepository

if not espeak_available():
    pytest.skip("espeak-ng is not installed (scripts/services.sh)", allow_module_level=True)

# The host presents a product, then announces a gift and how to claim it.
HOST_LINES = [
    "Welcome back everyone, next up is the Bamboo Travel Mug.",
    "It keeps your tea hot for six hours, and the lid does not leak.",
    "Here is the deal. Order the Bamboo Travel Mug today and you get a free tea strainer "
    "as a gift. To claim the gift, write strainer in the order note when you pay.",
    "It comes in green and in natural wood colors.",
]
FRAME_BYTES = 3_200  # 100 ms frames, as a live encoder would send them


@pytest.fixture(scope="module")
def host_audio(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, list[dict[str, float]]]:
    """The host's lines spoken by espeak-ng, as PCM, with where each line is."""
    wav = tmp_path_factory.mktemp("host") / "host.wav"
    timed = synthesize_lines(HOST_LINES, wav, pauses=[1.0] * len(HOST_LINES))
    audio = decode_audio(str(wav))
    return float_to_pcm16(np.asarray(audio)), [dict(t) for t in timed]  # type: ignore[misc]


def _kb_only_room(copilot: Copilot) -> str:
    """The mini catalog with no transcript: whatever the host says comes from the audio."""
    room = f"live-{uuid.uuid4().hex[:8]}"
    with copilot.db.session_scope() as session:
        load_kb_lines(session, room, (MINI / "products.jsonl").read_text("utf-8").splitlines())
    return room


def _stream(client: TestClient, room: str, pcm: bytes, start: dict[str, object]) -> list[dict]:
    """Send the audio over the WebSocket and collect every message until it stops."""
    messages: list[dict] = []
    with client.websocket_connect(f"/v1/rooms/{room}/audio") as ws:
        ws.send_json({"type": "start", **start})
        messages.append(ws.receive_json())
        for offset in range(0, len(pcm), FRAME_BYTES):
            ws.send_bytes(pcm[offset : offset + FRAME_BYTES])
        ws.send_json({"type": "stop"})
        while messages[-1]["type"] not in ("stopped", "error"):
            messages.append(ws.receive_json())
    return messages


@pytest.fixture(scope="module")
def streamed_room(
    sqlite_copilot: Copilot, host_audio: tuple[bytes, list[dict[str, float]]]
) -> tuple[str, list[dict]]:
    """A room whose transcript came only from the streamed host audio."""
    room = _kb_only_room(sqlite_copilot)
    with TestClient(_app(sqlite_copilot), headers=bearer(sqlite_copilot)) as client:
        messages = _stream(client, room, host_audio[0], {"language": "en"})
    return room, messages


def _app(copilot: Copilot):  # type: ignore[no-untyped-def]
    from api.app import create_app

    return create_app(copilot=copilot)


def test_stream_protocol_acks_segments_and_metrics(
    streamed_room: tuple[str, list[dict]], host_audio: tuple[bytes, list[dict[str, float]]]
) -> None:
    _, messages = streamed_room
    kinds = [m["type"] for m in messages]
    assert kinds[0] == "ready" and kinds[-1] == "stopped"
    acks = [m for m in messages if m["type"] == "ack"]
    assert [a["seq"] for a in acks] == list(range(1, len(acks) + 1))
    assert acks[-1]["received"] == pytest.approx(
        messages[0]["clock_start"] + len(host_audio[0]) / 32_000, abs=0.01
    )
    segments = [m for m in messages if m["type"] == "segment"]
    assert len(segments) >= 3
    starts = [s["start"] for s in segments]
    assert starts == sorted(starts) and all(s["end"] > s["start"] for s in segments)
    stopped = messages[-1]
    assert stopped["segments"] == len(segments)
    assert stopped["metrics"]["max_decoded"] <= 12


@pytest.mark.parametrize(
    "question", ["刚才说的赠品怎么领", "How do I get the gift you just mentioned?"]
)
def test_question_after_the_announcement_cites_it_with_a_working_replay_link(
    sqlite_copilot: Copilot,
    streamed_room: tuple[str, list[dict]],
    host_audio: tuple[bytes, list[dict[str, float]]],
    question: str,
) -> None:
    room, messages = streamed_room
    gift_line = host_audio[1][2]
    end = max(m["end"] for m in messages if m["type"] == "segment")
    with TestClient(_app(sqlite_copilot), headers=bearer(sqlite_copilot)) as client:
        result = client.post(
            f"/v1/rooms/{room}/questions",
            json={"viewer_id": "v-live", "text": question, "at": end + 3},
        ).json()
        assert result["action"] == "answer", result
        cited = [c for c in result["citations"] if c["kind"] == "transcript"]
        assert cited, result
        # The cited segment is the announcement: it starts where the host began that line.
        assert abs(cited[0]["start"] - gift_line["start"]) < 1.5
        assert "strainer" in result["answer"].lower()
        link = urlsplit(result["replay"][0])
        assert link.path == f"/replay/{room}"
        assert abs(float(link.query.removeprefix("t=")) - gift_line["start"]) < 1.5, (
            cited,
            host_audio[1],
        )
        page = client.get(f"{link.path}?{link.query}")
        assert page.status_code == 200
        recording = client.get(
            f"/v1/rooms/{room}/recording.wav",
            params={"start": gift_line["start"], "end": gift_line["end"]},
        )
        assert recording.status_code == 200
        assert recording.headers["content-type"] == "audio/wav"
        # The replayed second is the host's voice, not silence.
        samples = np.frombuffer(recording.content[44:], dtype="<i2")
        assert np.abs(samples).mean() > 100


def test_unknown_room_and_bad_frames_are_refused_and_the_server_keeps_serving(
    sqlite_copilot: Copilot,
) -> None:
    room = _kb_only_room(sqlite_copilot)
    with TestClient(_app(sqlite_copilot), headers=bearer(sqlite_copilot)) as client:
        with client.websocket_connect("/v1/rooms/no-such-room/audio") as ws:
            ws.send_json({"type": "start"})
            error = ws.receive_json()
        assert error["type"] == "error" and error["status"] == 404
        with client.websocket_connect(f"/v1/rooms/{room}/audio") as ws:
            ws.send_json({"type": "start", "sample_rate": 44100})
            error = ws.receive_json()
        assert error["status"] == 400 and "sample_rate" in error["error"]
        with client.websocket_connect(f"/v1/rooms/{room}/audio") as ws:
            ws.send_json({"type": "start"})
            assert ws.receive_json()["type"] == "ready"
            ws.send_bytes(b"\x00\x01\x02")  # half a sample
            message = ws.receive_json()
            while message["type"] != "error":
                message = ws.receive_json()
        assert "whole 16-bit samples" in message["error"]
        assert client.get("/healthz").status_code == 200


def test_transcribe_cli_prints_segments_and_stores_them(
    home: Path, sqlite_copilot: Copilot, host_audio: tuple[bytes, list[dict[str, float]]]
) -> None:
    room = _kb_only_room(sqlite_copilot)
    wav = home / "cli-host.wav"
    write_wav(wav, np.frombuffer(host_audio[0], dtype="<i2").astype(np.float32) / 32768)
    env = {**os.environ, "COPILOT_HOME": str(home), "COPILOT_ASR_LANGUAGE": "en"}
    done = subprocess.run(
        [sys.executable, "-m", "copilot.cli", "transcribe", str(wav), "--room", room],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    printed = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(printed) >= 3 and all({"start", "end", "text"} <= set(p) for p in printed)
    # "strainer" comes and goes with espeak-ng's version ("a trainer"); these words do not.
    said = " ".join(p["text"].lower() for p in printed)
    assert "travel mug" in said and "order note" in said, printed
    with sqlite_copilot.db.session_scope() as session:
        stored = TranscriptRepository(session, room).all()
        assert [s.text for s in stored] == [p["text"] for p in printed]
    assert sqlite_copilot.archive.extent(room) is not None  # kept for replay

    missing = subprocess.run(
        [sys.executable, "-m", "copilot.cli", "transcribe", str(home / "nope.wav")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert missing.returncode == 2 and "cannot open audio" in missing.stderr


def test_this_one_follows_the_product_the_host_is_presenting_now(
    sqlite_copilot: Copilot, streamed_room: tuple[str, list[dict]]
) -> None:
    room, messages = streamed_room
    end = max(m["end"] for m in messages if m["type"] == "segment")
    with TestClient(_app(sqlite_copilot), headers=bearer(sqlite_copilot)) as client:
        result = client.post(
            f"/v1/rooms/{room}/questions",
            json={"viewer_id": "v-live", "text": "这个多少钱", "at": end + 2},
        ).json()
    assert result["action"] == "answer", result
    segments = [m["text"] for m in messages if m["type"] == "segment"]
    assert {"kind": "product", "id": "MT-03"} in result["citations"], (result, segments)
    assert "69" in result["answer"]

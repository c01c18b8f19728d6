"""The replay page and its endpoints: recording as WAV, transcript window, clear 4xx errors."""

from __future__ import annotations

import io
import uuid
import wave
from urllib.parse import urlsplit

import numpy as np
from fastapi.testclient import TestClient

from api.deps import get_archive
from copilot.runtime import Copilot
from tests.conftest import new_room
from transcripts.archive import SAMPLE_RATE

WAV_HEADER_BYTES = 44


def record(copilot: Copilot, room: str, start_s: float, seconds: float) -> np.ndarray:
    """Noise appended to the room's recording, as the live stream would, and returned."""
    samples = np.random.default_rng(1).integers(
        -9000, 9000, round(seconds * SAMPLE_RATE), dtype=np.int16
    )
    get_archive(copilot).append(room, start_s, samples.astype("<i2").tobytes())
    return samples


def wav_samples(body: bytes) -> np.ndarray:
    with wave.open(io.BytesIO(body)) as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, SAMPLE_RATE)
        return np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")


def test_recording_as_wav(client: TestClient, sqlite_copilot: Copilot) -> None:
    room = new_room(sqlite_copilot)
    samples = record(sqlite_copilot, room, 10, 3)

    span = client.get(f"/v1/rooms/{room}/recording")
    assert span.status_code == 200 and span.json() == {"room": room, "start": 10, "end": 13}
    response = client.get(f"/v1/rooms/{room}/recording.wav", params={"start": 9, "end": 12})
    assert response.status_code == 200
    assert response.headers["content-type"] == "audio/wav"
    assert response.content[:4] == b"RIFF" and response.content[8:12] == b"WAVE"
    assert len(response.content) == WAV_HEADER_BYTES + 2 * 2 * SAMPLE_RATE  # clamped: 10 .. 12
    assert np.array_equal(wav_samples(response.content), samples[: 2 * SAMPLE_RATE])
    whole = client.get(f"/v1/rooms/{room}/recording.wav")  # no end: up to the limit
    assert np.array_equal(wav_samples(whole.content), samples)


def test_recording_serves_byte_ranges(client: TestClient, sqlite_copilot: Copilot) -> None:
    room = new_room(sqlite_copilot)
    record(sqlite_copilot, room, 0, 1)
    url = f"/v1/rooms/{room}/recording.wav"
    whole = client.get(url).content
    size = len(whole)

    head = client.get(url, headers={"Range": "bytes=0-43"})
    assert head.status_code == 206 and head.content == whole[:44]
    assert head.headers["content-range"] == f"bytes 0-43/{size}"
    tail = client.get(url, headers={"Range": "bytes=-100"})
    assert tail.status_code == 206 and tail.content == whole[-100:]
    rest = client.get(url, headers={"Range": "bytes=1000-"})
    assert rest.status_code == 206 and rest.content == whole[1000:]
    outside = client.get(url, headers={"Range": f"bytes={size}-"})
    assert outside.status_code == 416 and outside.headers["content-range"] == f"bytes */{size}"
    several = client.get(url, headers={"Range": "bytes=0-1,5-6"})  # not supported: all of it
    assert several.status_code == 200 and several.content == whole


def test_recording_errors(client: TestClient, sqlite_copilot: Copilot) -> None:
    room = new_room(sqlite_copilot)
    url = f"/v1/rooms/{room}/recording.wav"
    assert client.get(f"/v1/rooms/{room}/recording").status_code == 404  # nothing recorded yet
    nothing = client.get(url)
    assert nothing.status_code == 404 and room in nothing.json()["error"]
    record(sqlite_copilot, room, 100, 2)

    outside = client.get(url, params={"start": 0, "end": 50})
    assert outside.status_code == 404 and "nothing recorded" in outside.json()["error"]
    assert client.get("/v1/rooms/no-such-room/recording.wav").status_code == 404
    for params, needle in [
        ({"start": -1}, "start"),
        ({"start": "abc"}, "start"),
        ({"start": "nan"}, "start"),
        ({"start": 0, "end": "inf"}, "end"),
        ({"start": 101, "end": 100}, "after start"),
        ({"start": 0, "end": 901}, "at most 900"),
    ]:
        response = client.get(url, params=params)
        assert response.status_code == 422, params
        assert needle in response.json()["error"], (params, response.json())
    # The server keeps serving after bad requests.
    assert client.get(url, params={"start": 100, "end": 101}).status_code == 200


def test_transcript_window(client: TestClient, sqlite_copilot: Copilot) -> None:
    room = new_room(sqlite_copilot)
    url = f"/v1/rooms/{room}/transcript"

    window = client.get(url, params={"start": 25, "end": 50})
    assert window.status_code == 200
    assert [(s["start"], s["end"]) for s in window.json()] == [(20, 32), (32, 45), (45, 58)]
    assert window.json()[0] == {
        "start": 20,
        "end": 32,
        "text": "这款直播间只要128元，原价168。",
        "speaker": "host",
    }
    assert [s["start"] for s in client.get(url, params={"start": 80}).json()] == [70, 84]
    assert len(client.get(url).json()) == 8
    assert client.get(url, params={"start": 500}).json() == []

    assert client.get("/v1/rooms/no-such-room/transcript").status_code == 404
    backwards = client.get(url, params={"start": 50, "end": 25})
    assert backwards.status_code == 422 and "before start" in backwards.json()["error"]
    negative = client.get(url, params={"start": -5})
    assert negative.status_code == 422 and "start" in negative.json()["error"]
    assert client.get(url, params={"start": 0, "end": 10}).status_code == 200


def test_replay_page(client: TestClient, sqlite_copilot: Copilot) -> None:
    room = new_room(sqlite_copilot)
    for query in ["", "?t=0", "?t=30", "?t=30.5", "?t=99999"]:
        page = client.get(f"/replay/{room}{query}")
        assert page.status_code == 200, query
        assert page.headers["content-type"].startswith("text/html")
        assert "<audio" in page.text and "/static/common.js" in page.text

    unknown = client.get("/replay/no-such-room?t=5")
    assert unknown.status_code == 404 and "unknown room" in unknown.text
    for bad in ["-1", "abc", "nan", "inf", ""]:
        response = client.get(f"/replay/{room}", params={"t": bad})
        assert response.status_code == 422, bad
        assert "t must be a number of seconds" in response.text
    # A room that only has a recording (no catalog or transcript yet) can be replayed.
    recorded_only = f"rec-{uuid.uuid4().hex[:8]}"
    record(sqlite_copilot, recorded_only, 0, 1)
    assert client.get(f"/replay/{recorded_only}?t=0").status_code == 200
    assert client.get(f"/replay/{room}?t=12").status_code == 200


def test_ticket_replay_links_open_the_replay_page(
    client: TestClient, sqlite_copilot: Copilot
) -> None:
    room = new_room(sqlite_copilot)
    result = client.post(
        f"/v1/rooms/{room}/questions",
        json={"viewer_id": "bob", "text": "收到的杯子裂了，我要退款", "at": 90},
    ).json()
    assert result["action"] == "escalate" and result["replay"]
    ticket = client.get(f"/v1/tickets/{result['ticket_id']}").json()
    for link in ticket["replay"]:
        parts = urlsplit(link)
        assert parts.path == f"/replay/{room}"
        assert client.get(f"{parts.path}?{parts.query}").status_code == 200


def test_endpoints_are_documented(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in ["recording", "recording.wav", "transcript"]:
        operation = paths[f"/v1/rooms/{{room}}/{path}"]["get"]
        assert operation["description"]
    assert not any(p.startswith("/replay") for p in paths)

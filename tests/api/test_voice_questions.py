"""Voice questions: real speech in common formats, and every kind of unusable upload."""

from __future__ import annotations

import io
import wave

import av
import numpy as np
import pytest
from fastapi.testclient import TestClient

from evals.host_script import espeak_available, speak

SAMPLE_RATE = 16_000


def _wav(audio: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes((np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes())
    return buffer.getvalue()


def _flac(audio: np.ndarray) -> bytes:
    """The same samples in another container and codec, encoded by PyAV."""
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format="flac") as container:
        stream = container.add_stream("flac", rate=SAMPLE_RATE, layout="mono")
        samples = (np.clip(audio, -1, 1) * 32767).astype("<i2").reshape(1, -1)
        frame = av.AudioFrame.from_ndarray(samples, format="s16", layout="mono")
        frame.sample_rate = SAMPLE_RATE
        for packet in stream.encode(frame):
            container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return buffer.getvalue()


def _ask(client: TestClient, room: str, data: bytes, name: str = "q.wav") -> tuple[int, dict]:
    response = client.post(
        f"/v1/rooms/{room}/voice-questions",
        files={"audio": (name, data, "application/octet-stream")},
        data={"viewer_id": "v-voice"},
    )
    return response.status_code, response.json()


@pytest.mark.skipif(not espeak_available(), reason="espeak-ng is not installed")
@pytest.mark.parametrize("encode", [_wav, _flac], ids=["wav", "flac"])
def test_a_spoken_question_is_transcribed_and_answered_from_the_catalog(
    client: TestClient, mini_room: str, encode: object
) -> None:
    question = speak("How much is the Bamboo Travel Mug?")
    status, body = _ask(client, mini_room, encode(question))  # type: ignore[operator]
    assert status == 200, body
    assert "bamboo" in body["transcript"].lower() and body["language"] == "en"
    assert 1.0 < body["duration"] < 5.0
    result = body["result"]
    assert result["action"] == "answer"
    assert "69" in result["answer"]  # the live price, cited from the catalog
    assert {"kind": "product", "id": "MT-03"} in result["citations"]


def test_unusable_audio_gets_a_clear_4xx_and_the_server_keeps_serving(
    client: TestClient, mini_room: str
) -> None:
    silence = np.zeros(SAMPLE_RATE * 2, dtype=np.float32)
    noise_floor = np.random.default_rng(1).normal(0, 0.001, SAMPLE_RATE * 2).astype(np.float32)
    too_long = np.zeros(SAMPLE_RATE * 31, dtype=np.float32)
    cases = [
        (b"", 422, "empty"),
        (_wav(silence), 422, "no speech"),
        (_wav(noise_floor), 422, "no speech"),
        (_wav(too_long), 413, "30 s"),
        (b"this is not audio at all" * 20, 415, "not audio"),
        (_wav(silence)[:30], 415, ""),  # a header cut short: nothing to decode
    ]
    for data, status, words in cases:
        got, body = _ask(client, mini_room, data)
        assert got == status, (words, body)
        assert words in body["error"]
    got, body = _ask(client, "no-such-room", _wav(silence))
    assert got == 404 and "unknown room" in body["error"]
    assert client.get("/healthz").status_code == 200

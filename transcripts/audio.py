"""Audio in any format PyAV (ffmpeg) can read, as 16 kHz mono float32 chunks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import av
import numpy as np

SAMPLE_RATE = 16_000
_PCM_SCALE = 32768.0
NETWORK_TIMEOUT_S = 10.0


class AudioError(ValueError):
    """The audio could not be read: not audio, no audio stream, or a broken file."""


class AudioTooLong(AudioError):
    """The audio runs past the caller's limit."""


def pcm16_to_float(pcm: bytes) -> np.ndarray:
    """Signed 16-bit little-endian samples to float32 in [-1, 1)."""
    if len(pcm) % 2:
        raise AudioError(f"16-bit PCM needs an even number of bytes, got {len(pcm)}")
    return np.frombuffer(pcm, dtype="<i2").astype(np.float32) / _PCM_SCALE


def float_to_pcm16(audio: np.ndarray) -> bytes:
    """float32 samples to signed 16-bit little-endian PCM (clipped)."""
    clipped = np.clip(audio, -1.0, 32767 / _PCM_SCALE)
    pcm: bytes = (clipped * _PCM_SCALE).astype("<i2").tobytes()
    return pcm


def decode_chunks(
    source: str | Path | BinaryIO, chunk_seconds: float = 0.1
) -> Iterator[np.ndarray]:
    """Decode a file, URL (HLS, RTMP, HTTP) or file object into chunks, as it reads."""
    size = max(1, int(chunk_seconds * SAMPLE_RATE))
    target = str(source) if isinstance(source, Path) else source
    try:
        container = av.open(target, mode="r", timeout=NETWORK_TIMEOUT_S)
    except (av.FFmpegError, OSError) as exc:
        raise AudioError(f"cannot open audio: {exc}") from exc
    with container:
        if not container.streams.audio:
            raise AudioError("no audio stream in the input")
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
        pending = np.zeros(0, dtype=np.float32)
        try:
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    pending = np.concatenate([pending, _samples(out)])
                while len(pending) >= size:
                    yield pending[:size]
                    pending = pending[size:]
            for out in resampler.resample(None):  # flush what the resampler holds
                pending = np.concatenate([pending, _samples(out)])
        except (av.FFmpegError, OSError) as exc:
            raise AudioError(f"broken audio: {exc}") from exc
        if len(pending):
            yield pending


def _samples(frame: av.AudioFrame) -> np.ndarray:
    return frame.to_ndarray().reshape(-1).astype(np.float32) / _PCM_SCALE


def decode_clip(source: str | Path | BinaryIO, max_seconds: float) -> np.ndarray:
    """A whole short clip; longer than `max_seconds` is an error (stops reading there)."""
    limit = int(max_seconds * SAMPLE_RATE)
    parts: list[np.ndarray] = []
    total = 0
    for chunk in decode_chunks(source, chunk_seconds=1.0):
        total += len(chunk)
        if total > limit:
            raise AudioTooLong(f"audio is longer than {max_seconds:g} s")
        parts.append(chunk)
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)

"""Whisper's encoder on a window fitted to the audio instead of a padded 30 s one.

faster-whisper pads every call to 30 s of features, and on two cores the base encoder spends
1.2-1.7 s on that window whatever it holds. CTranslate2 encodes shorter inputs (10 s in about
0.25 s), and Whisper stays as accurate on a window that holds the whole utterance plus a few
seconds of silence (docs/asr.md). faster-whisper has no option for it, so the padding function
its transcribe module calls is replaced by one that pads only as far as the calling thread
asked; any other caller still gets 30 s. The model's `encode` is wrapped the same way, so
that two decodes of the same audio inside `shared_encoding()` pay for one encoder pass.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import faster_whisper.transcribe
from faster_whisper.audio import pad_or_trim

FRAMES_PER_SECOND = 100
FULL_WINDOW = 3000
TRAILING_FRAMES = 500  # with less silence after the speech, Whisper may run on into the hotwords
_requested = threading.local()


def _fitted_pad_or_trim(array: Any, length: int = FULL_WINDOW, *, axis: int = -1) -> Any:
    frames: int | None = getattr(_requested, "frames", None)
    return pad_or_trim(array, min(length, frames) if frames else length, axis=axis)


faster_whisper.transcribe.pad_or_trim = _fitted_pad_or_trim


def fitted_frames(seconds: float) -> int:
    """Feature frames for `seconds` of audio plus trailing silence, in whole seconds."""
    frames = int(seconds * FRAMES_PER_SECOND) + TRAILING_FRAMES
    whole = -(-frames // FRAMES_PER_SECOND) * FRAMES_PER_SECOND
    return min(FULL_WINDOW, whole)


@contextmanager
def fitted_window(seconds: float) -> Iterator[None]:
    """Within this block, this thread's Whisper calls encode a window fitted to `seconds`."""
    _requested.frames = fitted_frames(seconds)
    try:
        yield
    finally:
        _requested.frames = None


# -- one encoder pass for two decodes of the same audio ----------------------------------------

_ENCODE = faster_whisper.transcribe.WhisperModel.encode
_REUSED_ENCODINGS = 2  # a decode may encode its remainder after the first pass; keep both


def _reusing_encode(model: Any, features: Any) -> Any:
    cache: dict[tuple[tuple[int, ...], bytes], Any] | None = getattr(_requested, "encoded", None)
    if cache is None:
        return _ENCODE(model, features)
    key = (features.shape, features.tobytes())
    if key not in cache:
        if len(cache) >= _REUSED_ENCODINGS:
            cache.pop(next(iter(cache)))
        cache[key] = _ENCODE(model, features)
    return cache[key]


faster_whisper.transcribe.WhisperModel.encode = _reusing_encode


@contextmanager
def shared_encoding() -> Iterator[None]:
    """Within this block, this thread's Whisper calls on the same features encode them once.

    The encoder is most of a decode's cost on a fitted window; a second decode of the same
    audio (without hotwords, to check what they added) then costs only its decoder steps.
    """
    _requested.encoded = {}
    try:
        yield
    finally:
        _requested.encoded = None

"""Incremental voice activity detection with the Silero model bundled in faster-whisper."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from faster_whisper.vad import get_vad_model

WINDOW = 512  # samples per Silero decision (32 ms at 16 kHz)
_CONTEXT = 64  # samples of the previous window the model looks back on
_STATE_SHAPE = (1, 1, 128)


class StreamingVad:
    """Speech probabilities per 32 ms window, carrying the model's state from call to call."""

    def __init__(self) -> None:
        self._session = get_vad_model().session
        self._h = np.zeros(_STATE_SHAPE, dtype=np.float32)
        self._c = np.zeros(_STATE_SHAPE, dtype=np.float32)
        self._context = np.zeros(_CONTEXT, dtype=np.float32)

    def probabilities(self, audio: np.ndarray) -> np.ndarray:
        """One probability per whole window of `audio` (its length must be a multiple of 512)."""
        if len(audio) == 0:
            return np.zeros(0, dtype=np.float32)
        windows = audio.reshape(-1, WINDOW).astype(np.float32)
        contexts = np.vstack([self._context, windows[:-1, -_CONTEXT:]])
        batch = np.concatenate([contexts, windows], axis=1)
        out, self._h, self._c = self._session.run(
            None, {"input": batch, "h": self._h, "c": self._c}
        )
        self._context = windows[-1, -_CONTEXT:].copy()
        return np.asarray(out, dtype=np.float32).reshape(-1)


@dataclass(frozen=True)
class Utterance:
    """A run of speech windows; `closed` once enough silence has followed it."""

    start: int
    end: int
    closed: bool


def utterances(
    probs: np.ndarray,
    min_silence: int,
    min_speech: int = 8,
    threshold: float = 0.5,
    release: float = 0.35,
) -> list[Utterance]:
    """Speech runs in window units, with hysteresis: enter at `threshold`, leave below `release`."""
    found: list[Utterance] = []
    start: int | None = None
    silent_since: int | None = None
    for index, prob in enumerate(probs):
        if start is None:
            if prob >= threshold:
                start, silent_since = index, None
            continue
        if prob >= release:
            silent_since = None
        elif silent_since is None:
            silent_since = index
        elif index - silent_since + 1 >= min_silence:
            if silent_since - start >= min_speech:  # shorter bursts are clicks, not words
                found.append(Utterance(start, silent_since, closed=True))
            start, silent_since = None, None
    if start is not None:
        found.append(Utterance(start, len(probs), closed=False))
    return found

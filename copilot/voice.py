"""Questions asked by voice: a short clip is transcribed, then asked like typed text."""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np

from copilot.errors import InvalidInput, NotFound, PayloadTooLarge, UnsupportedMedia
from copilot.live import room_hotwords
from copilot.pipeline import ask
from copilot.runtime import Copilot
from copilot.schemas import QuestionResult
from knowledge.repository import RoomRepository
from transcripts.asr.decoder import join_words
from transcripts.asr.vad import WINDOW, StreamingVad, utterances
from transcripts.audio import SAMPLE_RATE, AudioError, AudioTooLong, decode_clip

MIN_SPEECH_WINDOWS = 6  # about 0.2 s of speech; less is a cough, not a question


@dataclass
class VoiceAnswer:
    """What was heard, and the pipeline's result for it."""

    transcript: str
    language: str
    duration: float
    result: QuestionResult


def _has_speech(audio: np.ndarray) -> bool:
    whole = len(audio) - len(audio) % WINDOW
    probs = StreamingVad().probabilities(audio[:whole])
    return bool(utterances(probs, min_silence=16, min_speech=MIN_SPEECH_WINDOWS))


def transcribe_clip(copilot: Copilot, room_id: str, data: bytes) -> tuple[str, str, float]:
    """Transcript, language and duration of a clip; a clear error for anything unusable."""
    if not data:
        raise InvalidInput("the audio is empty")
    limit = copilot.settings.max_voice_question_seconds
    try:
        audio = decode_clip(io.BytesIO(data), max_seconds=limit)
    except AudioTooLong as exc:
        raise PayloadTooLarge(f"voice questions are limited to {limit:g} s") from exc
    except AudioError as exc:
        raise UnsupportedMedia(f"the upload is not audio that can be decoded ({exc})") from exc
    duration = len(audio) / SAMPLE_RATE
    if duration == 0:
        raise UnsupportedMedia("the upload holds no audio samples")
    if not _has_speech(audio):
        raise InvalidInput("no speech was heard in the audio", duration=round(duration, 2))
    hypothesis = copilot.asr_decoder.decode(
        audio, 0.0, None, copilot.settings.asr_beam_size, room_hotwords(copilot, room_id)
    )
    text = join_words(hypothesis.words)
    if not text:
        raise InvalidInput("no words were recognised in the audio", duration=round(duration, 2))
    return text, hypothesis.language, duration


def ask_by_voice(
    copilot: Copilot,
    *,
    room_id: str,
    viewer_id: str,
    data: bytes,
    at: float | None = None,
    base_url: str = "",
) -> VoiceAnswer:
    """Transcribe the clip and put the words through the question pipeline."""
    with copilot.db.read_scope() as session:
        if RoomRepository(session).get(room_id) is None:
            raise NotFound(f"unknown room {room_id!r}")
    text, language, duration = transcribe_clip(copilot, room_id, data)
    result = ask(copilot, room_id=room_id, viewer_id=viewer_id, text=text, at=at, base_url=base_url)
    return VoiceAnswer(text, language, round(duration, 2), result)

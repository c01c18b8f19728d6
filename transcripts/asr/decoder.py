"""One Whisper decode of a short stretch of audio, with word times and Simplified Chinese."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from faster_whisper import WhisperModel
from faster_whisper.transcribe import Segment
from opencc import OpenCC

from transcripts.asr.window import fitted_window

# Whisper writes Traditional characters for Mandarin unless the prompt is in Simplified.
SAMPLE_RATE = 16_000
MANDARIN_PROMPT = "以下是普通话的句子。"
# Whisper invents text ("谢谢观看", "Thank you.") on noise; such segments look like this.
_NO_SPEECH_PROB = 0.6
_LOW_LOGPROB = -1.0
# A looping decode ("热热热热...", one hotword over and over) compresses far better than speech;
# Whisper's own fallback threshold.
_LOOP_COMPRESSION_RATIO = 2.4
# Hotwords written in Han characters only help speech written in them: on English they make
# Whisper transcribe the hotwords instead of the speech.
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_HAN_LANGUAGES = frozenset({"zh", "yue", "ja"})
# Whisper's prompt holds 224 tokens, shared with the Mandarin prompt; names past this are cut.
MAX_HOTWORD_CHARS = 300
# Fast Mandarin is ~8 tokens a second; beyond this Whisper is looping, and a loop on a 2-core
# machine costs tens of seconds of decoding. Fallback temperatures are off for the same reason.
_TOKENS_PER_SECOND = 10
_MIN_TOKENS = 16
# Whisper's 448-token context also holds the prompt: up to 223 tokens of hotwords, the
# Mandarin prompt and the start sequence. faster-whisper refuses a total beyond 448.
_MAX_NEW_TOKENS = 200


@dataclass(frozen=True)
class Word:
    """A recognised word (or Chinese token) with its time on the stream clock."""

    start: float
    end: float
    text: str


@dataclass(frozen=True)
class Hypothesis:
    """What one decode heard."""

    words: tuple[Word, ...]
    language: str
    seconds: float
    confidence: float  # mean word probability; low when the language guess is wrong


@lru_cache(maxsize=1)
def _to_simplified() -> OpenCC:
    return OpenCC("t2s")


class WhisperDecoder:
    """Serialises decodes on one model: two streams decoding at once would only thrash 2 cores."""

    def __init__(self, model: WhisperModel, multilingual: bool = True) -> None:
        self.model = model
        self.multilingual = multilingual
        self._lock = threading.Lock()

    def decode(
        self,
        audio: np.ndarray,
        offset: float,
        language: str | None,
        beam_size: int,
        hotwords: str | None = None,
    ) -> Hypothesis:
        """Words of `audio` (16 kHz float32) timed from `offset`; `language=None` detects it."""
        if not self.multilingual:
            language = "en"
        started = time.perf_counter()
        with self._lock, fitted_window(len(audio) / SAMPLE_RATE):
            if language is None:
                # Detected apart, so that only Mandarin gets the Mandarin prompt: on other
                # speech it invents words. A fitted window makes this encode cheap.
                language = self.model.detect_language(audio)[0]
            prompt = MANDARIN_PROMPT if language == "zh" else None
            segments, info = self.model.transcribe(
                audio,
                language=language,
                beam_size=beam_size,
                word_timestamps=True,
                condition_on_previous_text=False,
                initial_prompt=prompt,
                hotwords=hotwords_for_language(hotwords, language),
                vad_filter=False,
                temperature=0.0,
                max_new_tokens=_new_token_budget(len(audio) / SAMPLE_RATE),
            )
            heard = [
                w
                for segment in segments
                if not _hallucinated(segment, prompt)
                for w in segment.words or ()
            ]
        # Past the audio there is only padding: words "heard" there are the prompt or the
        # hotwords leaking out, not speech.
        heard = [w for w in heard if w.start < len(audio) / SAMPLE_RATE]
        convert = _to_simplified().convert if info.language == "zh" else str
        words = tuple(
            Word(offset + float(w.start), offset + float(w.end), convert(w.word)) for w in heard
        )
        confidence = float(np.mean([w.probability for w in heard])) if heard else 0.0
        return Hypothesis(words, info.language, time.perf_counter() - started, confidence)


def _hallucinated(segment: Segment, prompt: str | None) -> bool:
    """Whisper's output on noise, a decode stuck in a loop, or its prompt repeated back."""
    if segment.no_speech_prob > _NO_SPEECH_PROB and segment.avg_logprob < _LOW_LOGPROB:
        return True
    if segment.compression_ratio > _LOOP_COMPRESSION_RATIO:
        return True
    return bool(prompt) and segment.text.strip() in (prompt or "")


def catalog_hotwords(products: Iterable[tuple[str, str]]) -> str:
    """Hotwords for a catalog, `(name, sku)` pairs: "name sku name sku ...", cut to fit."""
    return " ".join(f"{name} {sku}" for name, sku in products)[:MAX_HOTWORD_CHARS]


def hotwords_for_language(hotwords: str | None, language: str) -> str | None:
    """The hotwords that can bias speech in `language`: Han-script terms only Chinese-like ones."""
    if not hotwords or language in _HAN_LANGUAGES:
        return hotwords or None
    usable = [term for term in hotwords.split() if not _HAN.search(term)]
    return " ".join(usable) or None


def _new_token_budget(seconds: float) -> int:
    return min(_MAX_NEW_TOKENS, _MIN_TOKENS + int(seconds * _TOKENS_PER_SECOND))


def join_words(words: tuple[Word, ...] | list[Word]) -> str:
    """Text of consecutive words: Whisper carries the spaces (none between Chinese tokens)."""
    return "".join(w.text for w in words).strip()

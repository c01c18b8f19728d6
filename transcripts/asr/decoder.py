"""One Whisper decode of a short stretch of audio, with word times and Simplified Chinese."""

from __future__ import annotations

import difflib
import re
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

import numpy as np
from faster_whisper import WhisperModel
from faster_whisper.transcribe import Segment, TranscriptionInfo
from faster_whisper.transcribe import Word as FwWord
from opencc import OpenCC

from transcripts.asr.window import fitted_window, shared_encoding

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
# Text is compared piece by piece: a run of Latin letters, a run of digits, or one character
# of any other script, so that "KV-220", "KV 220" and "KV220" are the same pieces.
_PIECE = re.compile(r"[a-z\u00c0-\u024f]+|\d+|[^\W\d_]")


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
    hotwords_checked: bool = False  # a second pass without hotwords checked the terms they added


class Decoder(Protocol):
    """What the streaming recogniser asks of a decoder."""

    def decode(
        self,
        audio: np.ndarray,
        offset: float,
        language: str | None,
        beam_size: int,
        hotwords: str | None = None,
    ) -> Hypothesis:
        """Words of `audio` (16 kHz float32) timed from `offset`; `language=None` detects it."""
        ...


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
        """Words of `audio` (16 kHz float32) timed from `offset`; `language=None` detects it.

        With hotwords, a catalog term is kept only where a decode without them heard speech
        too (`supported_by`): hotwords bias Whisper towards the catalog, and on the end of
        an utterance, or on noise, it writes the catalog instead of the speech.
        """
        if not self.multilingual:
            language = "en"
        started = time.perf_counter()
        duration = len(audio) / SAMPLE_RATE
        checked = False
        with self._lock, fitted_window(duration), shared_encoding():
            if language is None:
                # Detected apart, so that only Mandarin gets the Mandarin prompt: on other
                # speech it invents words. A fitted window makes this encode cheap.
                language = self.model.detect_language(audio)[0]
            prompt = MANDARIN_PROMPT if language == "zh" else None
            usable = hotwords_for_language(hotwords, language)
            heard, info = self._transcribe(audio, language, beam_size, prompt, usable, True)
            # Past the audio there is only padding: words "heard" there are the prompt or the
            # hotwords leaking out, not speech.
            heard = [w for w in heard if w.start < duration]
            convert = _to_simplified().convert if info.language == "zh" else str
            terms = CatalogTerms.of(usable or "")
            if any(terms.named_in(w.word) for w in heard):
                # The same audio without hotwords, greedy and without word times; the encoder
                # pass is shared, so this costs only the decoder's steps.
                plain, _ = self._transcribe(audio, language, 1, prompt, None, False)
                unbiased = convert("".join(w.word for w in plain))
                keep = supported_by([convert(w.word) for w in heard], unbiased, terms)
                heard = [w for w, kept in zip(heard, keep, strict=True) if kept]
                checked = True
        words = tuple(
            Word(offset + float(w.start), offset + float(w.end), convert(w.word)) for w in heard
        )
        confidence = float(np.mean([w.probability for w in heard])) if heard else 0.0
        seconds = time.perf_counter() - started
        return Hypothesis(words, info.language, seconds, confidence, checked)

    def _transcribe(
        self,
        audio: np.ndarray,
        language: str,
        beam_size: int,
        prompt: str | None,
        hotwords: str | None,
        word_times: bool,
    ) -> tuple[list[FwWord], TranscriptionInfo]:
        """One faster-whisper call at temperature 0; words of the segments that look like speech.

        Without word times, each segment comes back as one word spanning it.
        """
        segments, info = self.model.transcribe(
            audio,
            language=language,
            beam_size=beam_size,
            word_timestamps=word_times,
            without_timestamps=not word_times,
            condition_on_previous_text=False,
            initial_prompt=prompt,
            hotwords=hotwords,
            vad_filter=False,
            temperature=0.0,
            max_new_tokens=_new_token_budget(len(audio) / SAMPLE_RATE),
        )
        heard = [
            w
            for segment in segments
            if not _hallucinated(segment, prompt)
            for w in (segment.words or () if word_times else [_as_word(segment)])
        ]
        return heard, info


def _hallucinated(segment: Segment, prompt: str | None) -> bool:
    """Whisper's output on noise, a decode stuck in a loop, or its prompt repeated back."""
    if segment.no_speech_prob > _NO_SPEECH_PROB and segment.avg_logprob < _LOW_LOGPROB:
        return True
    if segment.compression_ratio > _LOOP_COMPRESSION_RATIO:
        return True
    return bool(prompt) and segment.text.strip() in (prompt or "")


def _as_word(segment: Segment) -> FwWord:
    return FwWord(segment.start, segment.end, segment.text, float(np.exp(segment.avg_logprob)))


def _pieces(text: str) -> list[str]:
    return _PIECE.findall(text.lower())


@dataclass(frozen=True)
class CatalogTerms:
    """The pieces of the hotwords a decode was given: codes (of SKU-like terms) and names."""

    codes: frozenset[str]
    names: frozenset[str]

    @classmethod
    def of(cls, hotwords: str) -> CatalogTerms:
        """Split "name sku name sku ..." into its pieces; a term with a digit is a code."""
        terms = hotwords.split()
        codes = {p for t in terms if any(c.isdigit() for c in t) for p in _pieces(t)}
        names = {p for t in terms for p in _pieces(t)} - codes
        return cls(frozenset(codes), frozenset(names))

    def __contains__(self, piece: object) -> bool:
        return piece in self.codes or piece in self.names

    def named_in(self, text: str) -> bool:
        """Whether `text` holds any piece of a catalog term."""
        return any(p in self for p in _pieces(text))


def supported_by(words: Sequence[str], unbiased: str, terms: CatalogTerms) -> list[bool]:
    """Which words of a hotword-biased decode the same audio decoded without hotwords backs.

    The two are aligned piece by piece. A stretch of biased words the unbiased decode has
    nothing for that holds a catalog term is the hotwords talking, not the speaker ("only 5
    left. HS-108", "$199 toddler HS-106", "APP-009 APP-008" on noise): all of it goes.
    Where the biased words replace what the unbiased decode heard, they are what hotwords
    are for ("Quill or a" -> "Quillora", "QL-Inte" -> "QL-90"); only code pieces beyond the
    number of pieces heard there go ("bonus" -> "mode HS-107"): a spoken SKU has as many
    pieces unbiased as biased, and the leaks trail the speech. Any other word is kept.
    """
    owner = [index for index, word in enumerate(words) for _ in _pieces(word)]
    biased = [piece for word in words for piece in _pieces(word)]
    heard = _pieces(unbiased)
    keep = [True] * len(words)
    matcher = difflib.SequenceMatcher(None, biased, heard, autojunk=False)
    for tag, b_start, b_end, h_start, h_end in matcher.get_opcodes():
        if tag == "delete" and any(p in terms for p in biased[b_start:b_end]):
            for index in range(b_start, b_end):  # only in the biased decode
                keep[owner[index]] = False
        elif tag == "replace":
            for index in range(b_start + h_end - h_start, b_end):
                if biased[index] in terms.codes:
                    keep[owner[index]] = False
    return keep


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

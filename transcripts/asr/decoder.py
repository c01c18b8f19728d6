"""One Whisper decode of a short stretch of audio, with word times and Simplified Chinese."""

from __future__ import annotations

import dataclasses
import difflib
import itertools
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
# A catalog word the model alone finds at least this likely is heard, not prompted.
_SURE = 0.5
# Hotwords rewrite a piece or two between agreed ones to correct a misheard name or code...
_LOCAL_PIECES = 2
# ...or a longer stretch of names spelled alike (difflib's ratio): the coined names of the
# hotword script scored 0.47-1.0 against what Whisper heard without hotwords ("Kelbor
# Affirmis" -> "Kelvora thermos" 0.64); catalog written over the speech, 0.06-0.29.
_SPELLED_ALIKE = 0.4
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

        Hotwords bias Whisper towards the catalog, and at the end of an utterance or on noise
        it writes the catalog instead of the speech ("only 5 left. HS-108"): a catalog term
        the model is unsure of is kept only where a decode without hotwords backs it
        (`supported_words`), and a decode with hotwords that looped is replaced by one
        without them.
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
            heard, info, lost = self._transcribe(audio, language, beam_size, prompt, usable)
            words = self._words(heard, offset, info.language)
            terms = CatalogTerms.of(usable or "")
            # A word's probability comes from faster-whisper's alignment pass, which scores
            # the text without any prompt: what the audio alone says of it.
            doubtful = any(terms.named_in(w.word) and w.probability < _SURE for w in heard)
            if usable and (doubtful or lost):
                # The encoder pass is shared: this costs the decoder's greedy steps.
                plain, _, _ = self._transcribe(audio, language, 1, prompt, None)
                unbiased = self._words(plain, offset, info.language)
                checked = True
                if lost:  # the catalog over and over ("GAD-008 GAD-008 ..."), or noise
                    heard, words = plain, unbiased
                else:
                    words = supported_words(words, unbiased, terms)
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
    ) -> tuple[list[FwWord], TranscriptionInfo, bool]:
        """One faster-whisper call at temperature 0: the words of segments that look like speech,
        and whether any segment did not."""
        segments, info = self.model.transcribe(
            audio,
            language=language,
            beam_size=beam_size,
            word_timestamps=True,
            condition_on_previous_text=False,
            initial_prompt=prompt,
            hotwords=hotwords,
            vad_filter=False,
            temperature=0.0,
            max_new_tokens=_new_token_budget(len(audio) / SAMPLE_RATE),
        )
        decoded = list(segments)
        heard = [
            w
            for segment in decoded
            if not _hallucinated(segment, prompt)
            for w in segment.words or ()
            # Past the audio there is only padding: words "heard" there are the prompt or the
            # hotwords leaking out, not speech.
            if w.start < len(audio) / SAMPLE_RATE
        ]
        return heard, info, any(_hallucinated(segment, prompt) for segment in decoded)

    @staticmethod
    def _words(heard: list[FwWord], offset: float, language: str) -> tuple[Word, ...]:
        convert = _to_simplified().convert if language == "zh" else str
        return tuple(
            Word(offset + float(w.start), offset + float(w.end), convert(w.word)) for w in heard
        )


def _hallucinated(segment: Segment, prompt: str | None) -> bool:
    """Whisper's output on noise, a decode stuck in a loop, or its prompt repeated back."""
    if segment.no_speech_prob > _NO_SPEECH_PROB and segment.avg_logprob < _LOW_LOGPROB:
        return True
    if segment.compression_ratio > _LOOP_COMPRESSION_RATIO:
        return True
    return bool(prompt) and segment.text.strip() in (prompt or "")


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


def supported_words(
    biased: Sequence[Word], unbiased: Sequence[Word], terms: CatalogTerms
) -> tuple[Word, ...]:
    """A hotword-biased decode, where it wrote catalog terms the audio does not back, replaced
    by a decode of the same audio without hotwords.

    The two are aligned piece by piece. Biased words that add a catalog term where the
    unbiased decode heard nothing are the hotwords talking ("only 5 left. HS-108", "$199
    toddler HS-106", "APP-009 APP-008" on a pause): they go. Biased words that replace what
    the unbiased decode heard are what hotwords are for if they still sound alike ("Quill or
    a" -> "Quillora") and any code among them was partly heard ("QL-Inte" -> "QL-90");
    otherwise the catalog was written over the speech ("bonus" -> "mode HS-107", "It is
    smooth and not too bitter." -> "APP-005 GAD-005 GAD-006"), and the unbiased words stand.
    """
    b_owner, b_pieces = _pieced(biased)
    u_owner, u_pieces = _pieced(unbiased)
    matcher = difflib.SequenceMatcher(None, b_pieces, u_pieces, autojunk=False)
    opcodes = matcher.get_opcodes()
    agreed = [
        (b_start + i, u_start + i)
        for tag, b_start, b_end, u_start, _ in opcodes
        if tag == "equal"
        for i in range(b_end - b_start)
    ]
    heard = {b for b, _ in agreed}
    # A code no piece of which the unbiased decode heard is not one the speaker said.
    unheard = {
        i for run in _code_runs(biased, b_owner, b_pieces, terms) if not run & heard for i in run
    }
    dropped: set[int] = set()
    taken: set[int] = set()
    for tag, b_start, b_end, u_start, u_end in opcodes:
        stretch = b_pieces[b_start:b_end]
        if tag in ("equal", "insert") or not any(p in terms for p in stretch):
            continue
        if (
            tag == "replace"
            and unheard.isdisjoint(range(b_start, b_end))
            and _alike(stretch, u_pieces[u_start:u_end], anchored=len(opcodes) > 1)
        ):
            continue
        dropped.update(b_owner[b_start:b_end])
        taken.update(u_owner[u_start:u_end])
    if not dropped:
        return tuple(biased)
    # Pieces both heard, of a biased word that goes ("106" of "HS-106"): the unbiased word.
    taken.update(u_owner[u] for b, u in agreed if b_owner[b] in dropped)
    taken -= {u_owner[u] for b, u in agreed if b_owner[b] not in dropped}  # no piece twice
    owners = set(u_owner)
    for index in range(1, len(unbiased)):  # punctuation alone ("%") goes with the word before
        if index not in owners and index - 1 in taken:
            taken.add(index)
    kept = [w for i, w in enumerate(biased) if i not in dropped]
    kept += [w for i, w in enumerate(unbiased) if i in taken]
    return _in_order(kept)


def _in_order(words: list[Word]) -> tuple[Word, ...]:
    """Words of two decodes by start, each ending by the next one's start (the times differ)."""
    ordered = sorted(words, key=lambda w: w.start)
    return tuple(
        dataclasses.replace(word, end=min(word.end, following.start))
        if word.end > following.start
        else word
        for word, following in itertools.pairwise(ordered)
    ) + tuple(ordered[-1:])


def _pieced(words: Sequence[Word]) -> tuple[list[int], list[str]]:
    """The pieces of consecutive words, and the index of the word each piece belongs to."""
    split = [(index, piece) for index, word in enumerate(words) for piece in _pieces(word.text)]
    return [index for index, _ in split], [piece for _, piece in split]


def _code_runs(
    words: Sequence[Word], owner: list[int], pieces: list[str], terms: CatalogTerms
) -> list[set[int]]:
    """Indices of the code pieces of each code written ("QL" "-90": one), in piece order."""
    runs: list[set[int]] = []
    for index, piece in enumerate(pieces):
        if piece not in terms.codes:
            continue
        word = owner[index]
        joined = (
            index > 0
            and index - 1 in (runs[-1] if runs else ())
            and (owner[index - 1] == word or not words[word].text[:1].isspace())
        )
        if joined:
            runs[-1].add(index)
        else:
            runs.append({index})
    return runs


def _alike(biased: list[str], unbiased: list[str], anchored: bool) -> bool:
    """Whether biased pieces that replace unbiased ones are a correction of what was heard."""
    if anchored and max(len(biased), len(unbiased)) <= _LOCAL_PIECES:
        return True  # beside pieces both decodes agree on: "QL-Inte" -> "QL-90"
    if all(_HAN.match(p) for p in biased):
        # Homophones are what Mandarin gets wrong: one character a syllable, spelled apart.
        return abs(len(biased) - len(unbiased)) <= 1
    spelled = difflib.SequenceMatcher(None, "".join(biased), "".join(unbiased), autojunk=False)
    return spelled.ratio() >= _SPELLED_ALIKE


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

"""The streaming recogniser: voice-bounded utterances, LocalAgreement commits, bounded buffer."""

from __future__ import annotations

import dataclasses
import itertools
import re
import threading
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from transcripts.asr.decoder import Decoder, Hypothesis, Word, join_words
from transcripts.asr.vad import WINDOW, StreamingVad, Utterance, utterances

SAMPLE_RATE = 16_000
_SENTENCE_END = re.compile(r"[.?!。？！…]$")
_EDGE_PAD = int(0.2 * SAMPLE_RATE)  # speech onsets are soft; keep a little audio around them
# On a second of Mandarin Whisper may well guess Japanese: a detection is kept only when made
# on a whole utterance or on at least this much audio.
_DETECT_MIN = 4 * SAMPLE_RATE
_PAUSE_PROB = 0.5  # a dip below this between two words is a pause (the VAD enters speech here)
_ECHO_WORDS = 4  # how many committed words a new decode is checked against...
_ECHO_WINDOW_S = 1.0  # ...when it starts this soon after them
_ECHO_FRAGMENT_CHARS = 4  # a shorter tail ("is" after "this") may well be a new word


@dataclass(frozen=True)
class FinalSegment:
    """A committed stretch of speech: never changes once emitted."""

    start: float
    end: float
    text: str
    language: str
    words: tuple[Word, ...]
    emitted_at: float  # stream time of the newest audio received when it was emitted

    def record(self) -> dict[str, Any]:
        """DESIGN.md's transcript segment."""
        return {"start": round(self.start, 2), "end": round(self.end, 2), "text": self.text}


@dataclass(frozen=True)
class Partial:
    """The words heard so far in the current utterance, for display only."""

    start: float
    text: str


@dataclass
class Update:
    """What one step of the recogniser produced."""

    finals: list[FinalSegment] = field(default_factory=list)
    partial: Partial | None = None


@dataclass(frozen=True)
class StreamOptions:
    """Knobs of the streaming policy (seconds unless named otherwise)."""

    language: str | None = None  # None: detected for each utterance
    beam_size: int = 5
    min_silence: float = 0.5  # a pause this long ends an utterance
    partial_every: float = 1.0  # new audio needed before another partial decode...
    partial_cost_ratio: float = 2.5  # ...and at least this many times the last decode's time
    sentence_commit_after: float = 6.0  # long utterances commit whole agreed sentences
    # Each decode costs 1.3-2 s on two cores, plus about 0.15 s per second of speech: the
    # bounds below keep any one decode, hence the lag it causes, to about 2-3 s.
    max_utterance: float = 8.0  # beyond this, commit whatever two decodes agree on
    max_buffer: float = 12.0  # hard bound on the audio any one decode is handed
    degrade_lag: float = 1.0  # behind by more than this: beam 1 and no partials
    max_backlog: float = 60.0  # further behind than this, skip ahead: live beats complete
    redetect_every: int = 8  # with language=None, detect again after this many utterances
    redetect_below: float = 0.5  # ...or at once when a decode's word confidence falls below


@dataclass
class StreamMetrics:
    """How the recogniser is keeping up."""

    received: float = 0.0  # stream seconds of audio received
    processed: float = 0.0  # stream seconds the recogniser has looked at
    committed: float = 0.0  # end of the last final segment
    buffered: float = 0.0  # uncommitted audio held
    decode_seconds: float = 0.0  # wall time spent decoding
    decodes: int = 0
    partial_decodes: int = 0
    skipped_partials: int = 0
    forced_commits: int = 0
    skipped_seconds: float = 0.0  # audio never recognised because decoding fell too far behind
    degraded_steps: int = 0
    max_lag: float = 0.0
    max_buffered: float = 0.0
    max_decoded: float = 0.0  # longest audio handed to one decode

    @property
    def lag(self) -> float:
        """Audio received but not yet looked at."""
        return max(0.0, self.received - self.processed)

    @property
    def real_time_factor(self) -> float:
        """Decoding time per second of audio received."""
        return self.decode_seconds / self.received if self.received else 0.0

    def as_dict(self) -> dict[str, float | int]:
        """A JSON-friendly snapshot."""
        names = [n for n in self.__dataclass_fields__ if n != "received"]
        snapshot: dict[str, float | int] = {"received": round(self.received, 3)}
        snapshot.update({n: _rounded(getattr(self, n)) for n in names})
        snapshot["lag"] = round(self.lag, 3)
        snapshot["real_time_factor"] = round(self.real_time_factor, 4)
        return snapshot


def _rounded(value: float | int) -> float | int:
    return round(value, 3) if isinstance(value, float) else value


class StreamingRecognizer(Protocol):
    """Audio in, final segments and partial hypotheses out."""

    def insert_audio_chunk(self, audio: np.ndarray) -> None:
        """Queue 16 kHz mono float32 samples (safe to call from another thread)."""

    def process_iter(self) -> Update:
        """Look at the queued audio; decode when there is something worth decoding."""

    def finish(self) -> Update:
        """Commit everything left: the stream has ended."""

    @property
    def metrics(self) -> StreamMetrics:
        """Lag, real-time factor and counters."""


def _normalised(word: Word) -> str:
    return re.sub(r"[^\w]", "", word.text.lower())


def agreed_prefix(previous: tuple[Word, ...], current: tuple[Word, ...]) -> int:
    """How many leading words two successive hypotheses share (LocalAgreement-2)."""
    count = 0
    for before, now in zip(previous, current, strict=False):
        if _normalised(before) != _normalised(now):
            break
        count += 1
    return count


class WhisperStreamer:
    """Streams one audio feed through a shared Whisper decoder.

    Whisper pays for a 30 s window on every call, so it is called only when something is
    worth decoding: an utterance the VAD has closed (decoded once and committed whole), or
    at most once per `partial_every` of new speech inside a long utterance, where words two
    successive decodes agree on are committed sentence by sentence. The buffer never exceeds
    `max_buffer`, whatever the speaker does.
    """

    def __init__(
        self,
        decoder: Decoder,
        options: StreamOptions | None = None,
        clock_start: float = 0.0,
        hotwords: str | None = None,
    ) -> None:
        self.decoder = decoder
        self.options = options or StreamOptions()
        self.clock_start = clock_start
        self.hotwords = hotwords
        self._vad = StreamingVad()
        self._incoming: deque[np.ndarray] = deque()
        self._incoming_lock = threading.Lock()
        self._received_samples = 0
        self._buffer = np.zeros(0, dtype=np.float32)
        self._buffer_start = 0  # sample index of the buffer's first sample
        self._unvoiced = np.zeros(0, dtype=np.float32)  # tail shorter than one VAD window
        self._probs = np.zeros(0, dtype=np.float32)  # one per whole window of the buffer
        self._previous: tuple[Word, ...] = ()
        self._committed_tail: tuple[Word, ...] = ()  # the last words emitted, to spot echoes
        self._last_partial_at = 0  # buffer length (samples) at the last partial decode
        self._language = self.options.language
        self._since_detection = 0
        self._last_decode_seconds = 0.0
        self._metrics = StreamMetrics()

    @property
    def metrics(self) -> StreamMetrics:
        """Lag, real-time factor and counters (a live object; copy it to keep a snapshot)."""
        self._metrics.received = self._received_samples / SAMPLE_RATE
        return self._metrics

    def insert_audio_chunk(self, audio: np.ndarray) -> None:
        """Queue 16 kHz mono float32 samples (safe to call while `process_iter` runs)."""
        chunk = np.asarray(audio, dtype=np.float32).reshape(-1)
        with self._incoming_lock:
            self._incoming.append(chunk)
            self._received_samples += len(chunk)

    def process_iter(self) -> Update:
        """Look at the queued audio; decode when there is something worth decoding."""
        backlog = self._take_incoming()
        degraded = backlog > self.options.degrade_lag
        self._metrics.degraded_steps += int(degraded)
        found = utterances(self._probs, self._windows(self.options.min_silence))
        if not found:
            self._drop_until(len(self._buffer) - _EDGE_PAD)
            return self._done(Update())
        closed = [u for u in found if u.closed]
        if closed:
            return self._done(Update(self._commit_closed(closed, degraded)))
        return self._done(self._step_open(found[0].start * WINDOW, degraded))

    def finish(self) -> Update:
        """Commit everything left: the stream has ended."""
        self._take_incoming()
        tail = self._unvoiced
        self._buffer = np.concatenate([self._buffer, tail])
        self._unvoiced = np.zeros(0, dtype=np.float32)
        found = utterances(self._probs, self._windows(self.options.min_silence))
        finals: list[FinalSegment] = []
        if found:
            # The stream's end closes the last utterance, whatever VAD thought of its tail.
            last = found[-1]
            found[-1] = Utterance(last.start, len(self._probs), closed=True)
            finals = self._commit_closed(found, False)
        self._drop_until(len(self._buffer))
        return self._done(Update(finals))

    # -- steps -----------------------------------------------------------------------------

    def _step_open(self, speech_start: int, degraded: bool) -> Update:
        """Speech is going on: maybe a partial decode, and commits if the utterance runs long."""
        options = self.options
        length = len(self._buffer) - max(0, speech_start - _EDGE_PAD)
        must_commit = length > self._samples(options.max_utterance)
        new_audio = len(self._buffer) - self._last_partial_at
        # Partials are a luxury: never spend more than 1/ratio of real time on them.
        interval = max(
            options.partial_every, options.partial_cost_ratio * self._last_decode_seconds
        )
        due = new_audio >= self._samples(interval)
        if not must_commit and (degraded or not due):
            self._metrics.skipped_partials += int(due)
            return Update()  # nothing new to show
        start = max(0, speech_start - _EDGE_PAD)
        self._drop_until(start)
        hypothesis = self._decode(
            0, min(len(self._buffer), self._samples(options.max_buffer)), beam_size=1
        )
        self._metrics.partial_decodes += 1
        self._last_partial_at = len(self._buffer)
        agreed = hypothesis.words[: agreed_prefix(self._previous, hypothesis.words)]
        self._previous = hypothesis.words
        commit = (
            self._sentences(agreed) if length > self._samples(options.sentence_commit_after) else ()
        )
        if must_commit and not commit:
            self._metrics.forced_commits += 1
            # Nothing agreed on, or no sentence end: keep the buffer bounded regardless.
            commit = agreed or hypothesis.words[:-1] or hypothesis.words
            if not commit:  # long voiced noise that holds no words: stop decoding it again
                self._drop_until(len(self._buffer) - self._samples(options.partial_every))
        if self._buffer_seconds() > options.max_buffer and not commit:
            self._drop_until(len(self._buffer) - self._samples(options.max_utterance))
        finals = self._emit(commit, hypothesis.language)
        if commit:
            self._drop_until(self._sample_of(commit[-1].end))
            self._previous = self._previous[len(commit) :]
        return Update(finals, self._partial(self._previous))

    def _commit_closed(self, closed: list[Utterance], degraded: bool) -> list[FinalSegment]:
        """Decode closed utterances and commit all of them, one final segment per utterance.

        A backlog may hold many utterances: they share decodes of up to `max_buffer` each,
        and the words are split back into utterances at the pauses between them.
        """
        beam = 1 if degraded else self.options.beam_size
        finals: list[FinalSegment] = []
        for group in self._decode_groups(closed):
            start = max(0, group[0].start * WINDOW - _EDGE_PAD)
            end = min(group[-1].end * WINDOW + _EDGE_PAD, len(self._buffer))
            hypothesis = self._decode(start, end, beam_size=beam, final=True)
            for words in self._split_at_pauses(hypothesis.words, group):
                finals += self._emit(words, hypothesis.language)
        self._drop_until(min(closed[-1].end * WINDOW + _EDGE_PAD, len(self._buffer)))
        self._previous = ()
        return finals

    def _decode_groups(self, closed: list[Utterance]) -> list[list[Utterance]]:
        """Consecutive utterances batched so that no decode spans more than `max_buffer`."""
        limit = self._windows(self.options.max_buffer) - 2 * _EDGE_PAD // WINDOW
        groups: list[list[Utterance]] = []
        for utterance in (piece for u in closed for piece in self._cut_to(u, limit)):
            if groups and utterance.end - groups[-1][0].start <= limit:
                groups[-1].append(utterance)
            else:
                groups.append([utterance])
        return groups

    def _cut_to(self, utterance: Utterance, limit: int) -> list[Utterance]:
        """An utterance longer than `limit` windows, cut where speech is least likely."""
        pieces: list[Utterance] = []
        start = utterance.start
        while utterance.end - start > limit:
            # The quietest window in the last third of the allowed span: a breath, not a word.
            low = start + 2 * limit // 3
            cut = low + int(np.argmin(self._probs[low : start + limit]))
            pieces.append(Utterance(start, cut, closed=True))
            start = cut
        pieces.append(Utterance(start, utterance.end, closed=True))
        return pieces

    def _split_at_pauses(
        self, words: tuple[Word, ...], group: list[Utterance]
    ) -> list[tuple[Word, ...]]:
        """Words assigned to the utterances of one decode, by the middle of each pause."""
        pieces: list[list[Word]] = [[] for _ in group]
        bounds = [
            self._stream_time((a.end + b.start) * WINDOW / 2) for a, b in itertools.pairwise(group)
        ]
        for word in words:
            middle = (word.start + word.end) / 2
            pieces[sum(middle >= bound for bound in bounds)].append(word)
        return [
            self._within_speech(piece, utterance)
            for piece, utterance in zip(pieces, group, strict=True)
            if piece
        ]

    def _within_speech(self, words: list[Word], utterance: Utterance) -> tuple[Word, ...]:
        """The words inside an utterance's voiced span, the first starting at its VAD onset."""
        onset = self._stream_time(utterance.start * WINDOW)
        end = self._stream_time(utterance.end * WINDOW)
        # Only the prompt leaks after the speech, or into the pause before it when a backlog
        # shares one decode between utterances.
        words = [w for w in words if w.start < end and w.end > onset - _EDGE_PAD / SAMPLE_RATE]
        if not words:
            return ()
        # Whisper often starts the first word with its audio, pad and all: VAD knows better.
        first = words[0]
        start = min(max(first.start, onset), first.end)
        return (dataclasses.replace(first, start=start), *words[1:])

    # -- helpers ---------------------------------------------------------------------------

    def _decode(self, start: int, end: int, beam_size: int, final: bool = False) -> Hypothesis:
        offset = self._stream_time(start)
        self._metrics.max_decoded = max(self._metrics.max_decoded, (end - start) / SAMPLE_RATE)
        language = self._language
        if (
            final
            and self.options.language is None
            and (self._since_detection >= self.options.redetect_every)
        ):
            language = None  # detection costs a second encoder pass, so it is rationed
        # Hotwords only bias whole utterances: on the long, open ones partials decode, Whisper
        # leaked SKUs nobody said into the text ("... HS-106 HS-108 HS-106").
        hotwords = self.hotwords if final else None
        hypothesis = self.decoder.decode(
            self._buffer[start:end], offset, language, beam_size, hotwords
        )
        if self.options.language is None:
            self._track_language(language, hypothesis, final or end - start >= _DETECT_MIN)
        hypothesis = dataclasses.replace(hypothesis, words=self._without_echo(hypothesis.words))
        self._last_decode_seconds = hypothesis.seconds
        self._metrics.decodes += 1
        self._metrics.decode_seconds += hypothesis.seconds
        return hypothesis

    def _track_language(self, asked: str | None, hypothesis: Hypothesis, settled: bool) -> None:
        """Keep a language detected on enough audio; confusion or a quota detects it again."""
        if asked is None and settled:
            self._language, self._since_detection = hypothesis.language, 0
        elif settled:
            self._since_detection += 1
        if hypothesis.words and hypothesis.confidence < self.options.redetect_below:
            self._language = None  # hosts switch languages; a wrong guess decodes badly

    def _without_echo(self, words: tuple[Word, ...]) -> tuple[Word, ...]:
        """Drop leading words that repeat the words just committed.

        Audio is cut at Whisper's word end, which runs early: the tail of the last committed
        word stays in the buffer and is heard again as that word, or as its last syllables
        ("ill-disposed" | "isposed").
        """
        tail = self._committed_tail
        if not tail or not words or words[0].start > tail[-1].end + _ECHO_WINDOW_S:
            return words
        for size in range(min(len(tail), len(words)), 0, -1):
            if [_normalised(w) for w in tail[-size:]] == [_normalised(w) for w in words[:size]]:
                return words[size:]
        last, first = _normalised(tail[-1]), _normalised(words[0])
        if len(first) >= _ECHO_FRAGMENT_CHARS and len(first) < len(last) and last.endswith(first):
            return words[1:]
        return words

    def _emit(self, words: tuple[Word, ...], language: str) -> list[FinalSegment]:
        text = join_words(words)
        if not text:
            return []
        self._committed_tail = (self._committed_tail + words)[-_ECHO_WORDS:]
        emitted_at = self.clock_start + self._received_samples / SAMPLE_RATE
        segment = FinalSegment(words[0].start, words[-1].end, text, language, words, emitted_at)
        self._metrics.committed = segment.end
        return [segment]

    def _sentences(self, words: tuple[Word, ...]) -> tuple[Word, ...]:
        """The agreed words up to the last sentence end that the speaker paused after.

        A full stop alone is not enough: Whisper writes "Mr." and "Dr." with one, and a
        commit there cuts a name in two. A sentence end is also a dip in the VAD's speech
        probability, which an abbreviation, said in one breath with the next word, is not.
        """
        for index in range(len(words) - 2, -1, -1):
            word, following = words[index], words[index + 1]
            if _SENTENCE_END.search(word.text.strip()) and self._paused(word.end, following.start):
                return words[: index + 1]
        return ()

    def _paused(self, after: float, before: float) -> bool:
        """Whether speech probability dipped between two stream times (one window's slack)."""
        first = max(0, self._sample_of(after) // WINDOW - 1)
        last = max(first + 1, self._sample_of(before) // WINDOW + 2)
        window = self._probs[first:last]
        return bool(len(window)) and float(window.min()) < _PAUSE_PROB

    def _partial(self, words: tuple[Word, ...]) -> Partial | None:
        text = join_words(words)
        return Partial(words[0].start, text) if text else None

    def _take_incoming(self) -> float:
        """Move queued audio into the buffer and through the VAD; returns the backlog (s)."""
        with self._incoming_lock:
            chunks = list(self._incoming)
            self._incoming.clear()
        if not chunks:
            return 0.0
        chunks = self._skip_if_far_behind(chunks)
        audio = np.concatenate([self._unvoiced, *chunks])
        whole = len(audio) - len(audio) % WINDOW
        self._unvoiced = audio[whole:]
        self._buffer = np.concatenate([self._buffer, audio[:whole]])
        self._probs = np.concatenate([self._probs, self._vad.probabilities(audio[:whole])])
        backlog = sum(len(c) for c in chunks) / SAMPLE_RATE
        self._metrics.max_lag = max(self._metrics.max_lag, backlog)
        return backlog

    def _skip_if_far_behind(self, chunks: list[np.ndarray]) -> list[np.ndarray]:
        """Past `max_backlog`, forget the oldest audio (the archive still has it for replay)."""
        limit = self._samples(self.options.max_backlog)
        excess = sum(len(c) for c in chunks) - limit
        if excess <= 0:
            return chunks
        joined = np.concatenate(chunks)
        skipped = len(self._buffer) + len(self._unvoiced) + excess
        self._metrics.skipped_seconds += skipped / SAMPLE_RATE
        # The audio is no longer continuous: start the buffer and the VAD afresh after the gap.
        self._buffer_start += skipped
        self._buffer = np.zeros(0, dtype=np.float32)
        self._unvoiced = np.zeros(0, dtype=np.float32)
        self._probs = np.zeros(0, dtype=np.float32)
        self._previous, self._last_partial_at, self._committed_tail = (), 0, ()
        self._vad = StreamingVad()
        return [joined[excess:]]

    def _drop_until(self, sample: int) -> None:
        """Forget buffered audio before `sample` (rounded down to a VAD window)."""
        cut = max(0, min(sample, len(self._buffer))) // WINDOW * WINDOW
        if cut <= 0:
            return
        self._buffer = self._buffer[cut:]
        self._probs = self._probs[cut // WINDOW :]
        self._buffer_start += cut
        self._last_partial_at = max(0, self._last_partial_at - cut)

    def _done(self, update: Update) -> Update:
        metrics = self._metrics
        metrics.processed = (self._buffer_start + len(self._buffer)) / SAMPLE_RATE
        metrics.buffered = self._buffer_seconds()
        metrics.max_buffered = max(metrics.max_buffered, metrics.buffered)
        return update

    def _stream_time(self, sample: float) -> float:
        return self.clock_start + (self._buffer_start + sample) / SAMPLE_RATE

    def _sample_of(self, stream_seconds: float) -> int:
        return round((stream_seconds - self.clock_start) * SAMPLE_RATE) - self._buffer_start

    def _buffer_seconds(self) -> float:
        return len(self._buffer) / SAMPLE_RATE

    def _windows(self, seconds: float) -> int:
        return max(1, round(seconds * SAMPLE_RATE / WINDOW))

    @staticmethod
    def _samples(seconds: float) -> int:
        return round(seconds * SAMPLE_RATE)

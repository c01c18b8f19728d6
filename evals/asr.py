"""ASR evaluation: accuracy, latency and lag of streaming recognition, real and synthetic speech.

    python -m evals.asr [--speech-dir var/speech] [--synthetic-minutes 30] [--hotwords]
                        [--runs 3] [--out FILE]

Every clip goes through the streaming path (WhisperStreamer fed 0.1 s chunks by `run_stream`
on a simulated real-time clock), never through batch transcription, so the figures are
those of a live feed on this machine. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import re
import statistics
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from faster_whisper.audio import decode_audio
from opencc import OpenCC

from evals import host_script
from evals.speech_data import (
    DEFAULT_DIR,
    EN_CLIP,
    EN_TEXT,
    F5,
    ZH_CLIP,
    ZH_TEXT,
    ensure_speech,
    librivox_clips,
)
from transcripts.asr.decoder import Decoder, WhisperDecoder, catalog_hotwords
from transcripts.asr.feed import (
    Clock,
    DecodeCost,
    ModelledClock,
    SimulatedClock,
    WallClock,
    chunks_of,
    run_stream,
)
from transcripts.asr.streaming import (
    SAMPLE_RATE,
    FinalSegment,
    StreamMetrics,
    StreamOptions,
    Update,
    WhisperStreamer,
)

CHUNK_S = 0.1  # what a live source delivers at a time
CLIP_GAP_S = 1.0  # silence between the LibriVox sentences of the one English stream
TAIL_S = 1.0  # silence after a clip, so the VAD closes it as it would live
WINDOW_S = 300.0  # lag and latency are reported per 5-minute window of the long stream
SYNTHETIC_SEED = 7
Normaliser = Callable[[str], list[str]]

# -- text normalisation and error rates ------------------------------------------------------

_ABBREVIATIONS = {"mr": "mister", "mrs": "missus", "dr": "doctor"}


def normalise_english(text: str) -> list[str]:
    """Words for WER: lowercase, no punctuation, hyphens split, titles spelled out, digits kept."""
    text = text.lower().replace("\u2019", "'")
    # Whisper writes what was said as "59 dollars" or "20 percent" with symbols.
    text = re.sub(r"\$(\d[\d,]*(?:\.\d+)?)", r"\1 dollars", text)
    text = re.sub(r"(\d)\s*%", r"\1 percent", text)
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text)  # 1,000 is 1000
    text = re.sub(r"[-\u2010-\u2015]", " ", text)
    text = "".join(" " if _is_punctuation(c) and c != "'" else c for c in text)
    words = text.replace("'", "").split()
    return [_ABBREVIATIONS.get(w, w) for w in words]


@lru_cache(maxsize=1)
def _to_simplified() -> OpenCC:
    return OpenCC("t2s")


def normalise_chinese(text: str) -> list[str]:
    """Characters for CER: Simplified, without punctuation or spaces."""
    simplified = _to_simplified().convert(text)
    return [c for c in simplified if not c.isspace() and not _is_punctuation(c)]


def _is_punctuation(char: str) -> bool:
    return unicodedata.category(char)[0] in "PS"  # punctuation and symbols (，。！…$)


def edit_distance(reference: Sequence[str], hypothesis: Sequence[str]) -> int:
    """Levenshtein distance between two token sequences."""
    previous = list(range(len(hypothesis) + 1))
    for i, ref in enumerate(reference, 1):
        current = [i]
        for j, hyp in enumerate(hypothesis, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ref != hyp)))
        previous = current
    return previous[-1]


def error_rate(reference: Sequence[str], hypothesis: Sequence[str]) -> float:
    """Edits per reference token (WER over words, CER over characters)."""
    if not reference:
        return 0.0 if not hypothesis else 1.0
    return edit_distance(reference, hypothesis) / len(reference)


def matched_pairs(reference: Sequence[str], hypothesis: Sequence[str]) -> list[tuple[int, int]]:
    """Index pairs of tokens a minimal edit alignment keeps unchanged, in order."""
    rows, cols = len(reference) + 1, len(hypothesis) + 1
    cost = np.zeros((rows, cols), dtype=np.int32)
    cost[:, 0] = np.arange(rows)
    cost[0, :] = np.arange(cols)
    for i in range(1, rows):
        for j in range(1, cols):
            same = reference[i - 1] == hypothesis[j - 1]
            cost[i, j] = min(
                cost[i - 1, j] + 1, cost[i, j - 1] + 1, cost[i - 1, j - 1] + (not same)
            )
    pairs: list[tuple[int, int]] = []
    i, j = rows - 1, cols - 1
    while i > 0 and j > 0:
        same = reference[i - 1] == hypothesis[j - 1]
        if cost[i, j] == cost[i - 1, j - 1] + (not same):
            if same:
                pairs.append((i - 1, j - 1))
            i, j = i - 1, j - 1
        elif cost[i, j] == cost[i - 1, j] + 1:
            i -= 1
        else:
            j -= 1
    return pairs[::-1]


# -- streaming -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Token:
    """A normalised hypothesis token with the times that make its latency."""

    text: str
    end: float  # the recogniser's end of the word it belongs to (stream clock)
    emitted_at: float  # FinalSegment.emitted_at: audio received when its decode began
    delivered_at: float  # stream clock when the update carrying it came out of the decode


@dataclass
class StreamRun:
    """What one stream produced and how the recogniser kept up."""

    finals: list[FinalSegment]
    metrics: StreamMetrics
    backlog: list[tuple[float, float]]  # (stream seconds received, seconds not yet looked at)
    audio_seconds: float
    wall_seconds: float
    clock_start: float
    delivered: list[float]  # per final: stream clock when process_iter handed it over
    peak_buffered: float  # most audio held plus arrived at the start of any step

    def text(self) -> str:
        """Every final segment, in order."""
        return " ".join(f.text for f in self.finals)

    def tokens(self, normalise: Normaliser) -> list[Token]:
        """Normalised tokens of the finals, each tied to its word's end and its emission."""
        return [
            Token(token, word.end, final.emitted_at, delivered)
            for final, delivered in zip(self.finals, self.delivered, strict=True)
            for word in final.words
            for token in normalise(word.text)
        ]


class _LagProbe:
    """Passes through to a recogniser, noting the backlog each step starts with."""

    def __init__(self, inner: WhisperStreamer, clock: Clock) -> None:
        self.inner = inner
        self.clock = clock
        self.backlog: list[tuple[float, float]] = []
        # Held plus arrived at the start of a step: what that step may hand to one decode.
        # StreamMetrics.max_buffered is taken after the step has dropped what it committed.
        self.peak_buffered = 0.0

    def insert_audio_chunk(self, audio: np.ndarray) -> None:
        """Queue samples."""
        self.inner.insert_audio_chunk(audio)

    def process_iter(self) -> Update:
        """Note the backlog, then step."""
        metrics = self.inner.metrics
        backlog = max(0.0, metrics.received - metrics.processed)
        self.backlog.append((metrics.received, backlog))
        self.peak_buffered = max(self.peak_buffered, metrics.buffered + backlog)
        return self.inner.process_iter()

    def finish(self) -> Update:
        """End the stream, charging its decode to the clock as `run_stream` does for steps."""
        started = time.perf_counter()
        update = self.inner.finish()
        self.clock.spent(time.perf_counter() - started)
        return update

    @property
    def metrics(self) -> StreamMetrics:
        """The recogniser's metrics."""
        return self.inner.metrics


def stream(
    decoder: Decoder,
    audio: np.ndarray,
    *,
    options: StreamOptions | None = None,
    hotwords: str | None = None,
    clock_start: float = 0.0,
    chunk_seconds: float = CHUNK_S,
    realtime: bool = False,
    cost: DecodeCost | None = None,
) -> StreamRun:
    """Feed `audio` through a fresh WhisperStreamer as a live source would.

    Real decode time is charged to the clock (the benchmark: how this machine keeps up);
    with `cost`, every decode takes its modelled time instead, so that the run, and what the
    recogniser writes, is the same however fast or busy the machine is (the tests).
    """
    clock: Clock
    if cost is not None:
        if realtime:
            raise ValueError("a modelled decode cost needs the simulated clock, not realtime")
        modelled = ModelledClock(cost)
        clock, decoder = modelled, modelled.decoder(decoder)
    else:
        clock = WallClock() if realtime else SimulatedClock()
    recogniser = WhisperStreamer(decoder, options or StreamOptions(), clock_start, hotwords)
    probe = _LagProbe(recogniser, clock)
    finals: list[FinalSegment] = []
    out_at: list[float] = []

    def collect(update: Update) -> None:
        # Called once the step's decode is charged: the moment the words are out.
        finals.extend(update.finals)
        out_at.extend(clock_start + clock.now() for _ in update.finals)

    started = time.perf_counter()
    run_stream(probe, chunks_of(audio, chunk_seconds), clock, on_update=collect)
    wall = time.perf_counter() - started
    audio_seconds = len(audio) / SAMPLE_RATE
    return StreamRun(
        finals,
        recogniser.metrics,
        probe.backlog,
        audio_seconds,
        wall,
        clock_start,
        out_at,
        probe.peak_buffered,
    )


def load_audio(path: Path) -> np.ndarray:
    """Any audio file as 16 kHz mono float32."""
    return np.asarray(decode_audio(str(path), sampling_rate=SAMPLE_RATE), dtype=np.float32)


def silence(seconds: float) -> np.ndarray:
    """Digital silence."""
    return np.zeros(round(seconds * SAMPLE_RATE), dtype=np.float32)


# -- the LibriVox sentences: one English stream with reference word times -----------------------


@dataclass(frozen=True)
class RefToken:
    """A normalised reference token and, when an alignment gives it, when it was said."""

    text: str
    end: float | None  # stream clock


_ALIGNMENT_FILLERS = re.compile(r"^(<.*>|\[.*\])$")  # <sil>, <s>, </s>, [NOISE]


def librivox_reference(clip: Path, offset: float) -> list[RefToken]:
    """The clip's transcript as tokens, timed from its word alignment (`b + d` = word end)."""
    words = normalise_english(clip.with_suffix(".txt").read_text("utf-8"))
    alignment = clip.with_suffix(".json")
    if not alignment.exists():
        return [RefToken(w, None) for w in words]
    timed = [
        (re.sub(r"\(\d+\)$", "", w["t"]), offset + float(w["b"]) + float(w["d"]))
        for w in json.loads(alignment.read_text("utf-8"))["w"]
        if not _ALIGNMENT_FILLERS.match(w["t"])
    ]
    aligned = [t for text, t in timed for _ in normalise_english(text)]
    texts = [tok for text, _ in timed for tok in normalise_english(text)]
    if texts != words:  # an alignment of some other text: no times rather than wrong ones
        return [RefToken(w, None) for w in words]
    return [RefToken(w, t) for w, t in zip(words, aligned, strict=True)]


def librivox_stream(speech_dir: Path) -> tuple[np.ndarray, list[RefToken]]:
    """The five sentences in one stream, a second of silence apart, with the timed reference."""
    pieces: list[np.ndarray] = []
    reference: list[RefToken] = []
    at = 0.0
    for clip in librivox_clips(speech_dir):
        audio = load_audio(clip)
        reference += librivox_reference(clip, at)
        pieces += [audio, silence(CLIP_GAP_S)]
        at += len(audio) / SAMPLE_RATE + CLIP_GAP_S
    return np.concatenate(pieces), reference


def delivered(token: Token) -> float:
    """When a word became available to the rest of the system."""
    return token.delivered_at


def emitted(token: Token) -> float:
    """The recogniser's own `emitted_at`, which leaves out the decode that produced the word."""
    return token.emitted_at


def latencies(
    reference: list[RefToken],
    hypothesis: list[Token],
    clock_start: float,
    at: Callable[[Token], float] = delivered,
) -> list[float]:
    """Seconds from each recognised word's end until its final segment was out.

    A word's end comes from the reference alignment where there is one, else from the
    recogniser; only hypothesis words matched to a reference word count.
    """
    pairs = matched_pairs([r.text for r in reference], [h.text for h in hypothesis])
    found: list[float] = []
    for ref_index, hyp_index in pairs:
        ref, hyp = reference[ref_index], hypothesis[hyp_index]
        end = clock_start + ref.end if ref.end is not None else hyp.end
        found.append(at(hyp) - end)
    return found


def percentiles(values: Sequence[float]) -> dict[str, float | None]:
    """p50 and p95, rounded to milliseconds."""
    if not values:
        return {"p50": None, "p95": None}
    return {
        "p50": round(float(np.percentile(values, 50)), 3),
        "p95": round(float(np.percentile(values, 95)), 3),
    }


def _stream_figures(run: StreamRun) -> dict[str, Any]:
    metrics = run.metrics
    return {
        "audio_seconds": round(run.audio_seconds, 2),
        "real_time_factor": round(metrics.real_time_factor, 4),
        "wall_real_time_factor": round(run.wall_seconds / run.audio_seconds, 4),
        "max_lag_s": round(metrics.max_lag, 3),
        "max_buffered_s": round(metrics.max_buffered, 3),
        "peak_buffered_s": round(run.peak_buffered, 3),
        "max_decoded_s": round(metrics.max_decoded, 3),
        "decodes": metrics.decodes,
        "partial_decodes": metrics.partial_decodes,
        "forced_commits": metrics.forced_commits,
        "skipped_seconds": round(metrics.skipped_seconds, 3),
        "degraded_steps": metrics.degraded_steps,
        "finals": len(run.finals),
    }


def _scored(
    run: StreamRun, reference: list[RefToken], normalise: Normaliser, metric: str
) -> dict[str, Any]:
    hypothesis = run.tokens(normalise)
    waits = latencies(reference, hypothesis, run.clock_start)
    waits_emitted = latencies(reference, hypothesis, run.clock_start, emitted)
    return {
        metric: round(error_rate([r.text for r in reference], [h.text for h in hypothesis]), 4),
        "reference_tokens": len(reference),
        "latency_s": percentiles(waits),
        "latency_emitted_at_s": percentiles(waits_emitted),
        "latency_from": "alignment" if all(r.end is not None for r in reference) else "recogniser",
        "hypothesis": run.text(),
        **_stream_figures(run),
    }


def _clip_reference(text: str, normalise: Normaliser) -> list[RefToken]:
    return [RefToken(t, None) for t in normalise(text)]


def evaluate_real_speech(
    decoder: WhisperDecoder,
    speech_dir: Path,
    *,
    options: StreamOptions | None = None,
    realtime: bool = False,
    chunk_seconds: float = CHUNK_S,
    pin_language: bool = False,
) -> dict[str, Any]:
    """WER/CER, latency and lag on the LibriVox stream and the two f5-tts clips.

    With `pin_language`, each clip is streamed in its own language instead of detecting it.
    """
    base = options or StreamOptions()

    def feed(audio: np.ndarray, language: str) -> StreamRun:
        chosen = dataclasses.replace(base, language=language) if pin_language else base
        return stream(
            decoder, audio, options=chosen, realtime=realtime, chunk_seconds=chunk_seconds
        )

    audio, reference = librivox_stream(speech_dir)
    english = feed(audio, "en")
    report = {"librivox_en": _scored(english, reference, normalise_english, "wer")}
    for key, clip, language, text, normalise, metric in (
        ("f5_zh", ZH_CLIP, "zh", ZH_TEXT, normalise_chinese, "cer"),
        ("f5_en", EN_CLIP, "en", EN_TEXT, normalise_english, "wer"),
    ):
        audio = np.concatenate([load_audio(speech_dir / F5 / clip), silence(TAIL_S)])
        run = feed(audio, language)
        report[key] = _scored(run, _clip_reference(text, normalise), normalise, metric)
    return report


# -- the long synthetic host stream ------------------------------------------------------------


@dataclass
class SyntheticAudio:
    """A host script spoken by espeak-ng, with where each line sits."""

    audio: np.ndarray
    lines: list[host_script.TimedLine] = field(default_factory=list)


def synthesize_cached(
    lines: Sequence[str], pauses: Sequence[float], cache_dir: Path, label: str
) -> SyntheticAudio:
    """Speak a script once; later runs read the WAV keyed by a hash of script and voice."""
    key = hashlib.sha256(
        json.dumps(
            [host_script.VOICE, host_script.WORDS_PER_MINUTE, list(lines), list(pauses)]
        ).encode()
    ).hexdigest()[:16]
    wav = cache_dir / f"{label}-{key}.wav"
    timing = wav.with_suffix(".json")
    if not (wav.exists() and timing.exists()):
        timed = host_script.synthesize_lines(lines, wav, pauses)
        partial = timing.with_name(timing.name + ".tmp")
        partial.write_text(json.dumps(timed, ensure_ascii=False), "utf-8")
        partial.replace(timing)
    return SyntheticAudio(load_audio(wav), json.loads(timing.read_text("utf-8")))


def _windows(run: StreamRun, hypothesis: list[Token]) -> list[dict[str, Any]]:
    """Max lag and mean finalisation latency per 5-minute window: does the lag grow?"""
    count = max(1, int(np.ceil(run.audio_seconds / WINDOW_S)))
    rows: list[dict[str, Any]] = []
    for index in range(count):
        low, high = index * WINDOW_S, (index + 1) * WINDOW_S
        lags = [lag for at, lag in run.backlog if low <= at < high]
        waits = [
            t.delivered_at - t.end for t in hypothesis if low <= t.end - run.clock_start < high
        ]
        rows.append(
            {
                "from_s": low,
                "to_s": min(high, round(run.audio_seconds, 1)),
                "max_lag_s": round(max(lags), 3) if lags else 0.0,
                "mean_latency_s": round(statistics.fmean(waits), 3) if waits else None,
                "words": len(waits),
            }
        )
    return rows


def evaluate_synthetic(
    decoder: WhisperDecoder,
    speech_dir: Path,
    minutes: float,
    *,
    options: StreamOptions | None = None,
    realtime: bool = False,
    chunk_seconds: float = CHUNK_S,
) -> dict[str, Any]:
    """A long espeak-ng host stream: WER against the script, RTF, lag per window."""
    lines, pauses = host_script.host_script(minutes * 60, seed=SYNTHETIC_SEED)
    spoken = synthesize_cached(lines, pauses, speech_dir / "synthetic", "host")
    run = stream(
        decoder, spoken.audio, options=options, realtime=realtime, chunk_seconds=chunk_seconds
    )
    reference = [t for line in lines for t in normalise_english(line)]
    hypothesis = run.tokens(normalise_english)
    waits = [t.delivered_at - t.end for t in hypothesis]
    return {
        "minutes": round(run.audio_seconds / 60, 1),
        "lines": len(lines),
        "wer": round(error_rate(reference, [t.text for t in hypothesis]), 4),
        "reference_tokens": len(reference),
        "latency_s": percentiles(waits),
        "latency_from": "recogniser",
        "windows": _windows(run, hypothesis),
        "wall_seconds": round(run.wall_seconds, 1),
        **_stream_figures(run),
    }


# -- product names: hotwords ----------------------------------------------------------------------

HOTWORD_PRODUCTS = (  # coined brand names Whisper has never seen, and their SKUs
    ("Kelvora thermos", "KV-220"),
    ("Zentique serum", "ZQ-15"),
    ("Mirabloom face mask", "MB-70"),
    ("Vostrel backpack", "VS-40"),
    ("Quillora desk lamp", "QL-90"),
)
_HOTWORD_TEMPLATES = (
    "Next up is the {name}, item number {sku}, only {price} dollars today.",
    "So many of you are asking about the {name}, yes it is still in stock.",
    "Add the {name} to your cart now, the code is {sku}.",
)


def hotword_script() -> tuple[list[str], list[float], list[tuple[str, str]]]:
    """About fifteen host lines naming the coined products; (name, sku) said in each line."""
    lines: list[str] = []
    said: list[tuple[str, str]] = []
    for round_index, template in enumerate(_HOTWORD_TEMPLATES):
        for index, (name, sku) in enumerate(HOTWORD_PRODUCTS):
            price = 29 + 10 * index + round_index
            lines.append(template.format(name=name, sku=sku, price=price))
            said.append((name, sku if "{sku}" in template else ""))
    pauses = [0.8 + 0.3 * (i % 4) for i in range(len(lines))]
    return lines, pauses, said


def _contains(haystack: list[str], needle: list[str]) -> bool:
    width = len(needle)
    return any(haystack[i : i + width] == needle for i in range(len(haystack) - width + 1))


def _sku_key(text: str) -> str:
    """SKUs compared without separators: KV-220, KV 220 and KV220 are the same code."""
    return "".join(normalise_english(text))


def words_per_line(run: StreamRun, lines: list[host_script.TimedLine]) -> list[str]:
    """The recognised text of each script line, by where its words fall in time."""
    bounds = [line["start"] for line in lines[1:]] + [float("inf")]
    texts: list[list[str]] = [[] for _ in lines]
    for final in run.finals:
        for word in final.words:
            middle = (word.start + word.end) / 2 - run.clock_start
            index = next(i for i, bound in enumerate(bounds) if middle < bound)
            texts[index].append(word.text)
    return ["".join(words) for words in texts]


def _name_scores(
    run: StreamRun, spoken: SyntheticAudio, lines: list[str], said: list[tuple[str, str]]
) -> dict[str, Any]:
    heard = words_per_line(run, spoken.lines)
    names = [
        _contains(normalise_english(text), normalise_english(name))
        for text, (name, _) in zip(heard, said, strict=True)
    ]
    skus = [
        _sku_key(sku) in "".join(normalise_english(text))
        for text, (_, sku) in zip(heard, said, strict=True)
        if sku
    ]
    reference = [t for line in lines for t in normalise_english(line)]
    return {
        "name_accuracy": round(sum(names) / len(names), 4),
        "sku_accuracy": round(sum(skus) / len(skus), 4) if skus else None,
        "wer": round(error_rate(reference, [t.text for t in run.tokens(normalise_english)]), 4),
        "real_time_factor": round(run.metrics.real_time_factor, 4),
        "hypothesis": heard,
    }


def evaluate_hotwords(
    decoder: WhisperDecoder, speech_dir: Path, *, options: StreamOptions | None = None
) -> dict[str, Any]:
    """Product-name and SKU accuracy of a host script, without and with hotwords."""
    lines, pauses, said = hotword_script()
    spoken = synthesize_cached(lines, pauses, speech_dir / "synthetic", "hotwords")
    hotwords = catalog_hotwords(HOTWORD_PRODUCTS)
    report: dict[str, Any] = {"lines": len(lines), "mentions": len(said), "hotwords": hotwords}
    for key, words in (("without", None), ("with", hotwords)):
        run = stream(decoder, spoken.audio, options=options, hotwords=words)
        report[key] = _name_scores(run, spoken, lines, said)
    return report


# -- the whole evaluation --------------------------------------------------------------------------


def evaluate_asr(
    decoder: WhisperDecoder,
    speech_dir: Path,
    *,
    synthetic_minutes: float = 0,
    realtime: bool = False,
    chunk_seconds: float = CHUNK_S,
    options: StreamOptions | None = None,
    pinned_language: bool = False,
) -> dict[str, Any]:
    """Real speech always; the synthetic host stream when `synthetic_minutes` > 0.

    `options` default to the runtime's (language detected); `pinned_language` adds the real
    speech again with each clip's language given, which shows what detection costs.
    """
    ensure_speech(speech_dir)
    load_before = os.getloadavg()[0]
    report: dict[str, Any] = evaluate_real_speech(
        decoder, speech_dir, options=options, realtime=realtime, chunk_seconds=chunk_seconds
    )
    if pinned_language:
        report["pinned_language"] = evaluate_real_speech(
            decoder,
            speech_dir,
            options=options,
            realtime=realtime,
            chunk_seconds=chunk_seconds,
            pin_language=True,
        )
    if synthetic_minutes > 0:
        report["synthetic_host"] = evaluate_synthetic(
            decoder,
            speech_dir,
            synthetic_minutes,
            options=options,
            realtime=realtime,
            chunk_seconds=chunk_seconds,
        )
    # Figures on a shared 2-core machine move with whatever else runs on it.
    report["load_average_1m"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    return report


def median_report(reports: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The median of every number over runs of the same evaluation (text from the first run)."""
    first = reports[0]
    merged: dict[str, Any] = {}
    for key, value in first.items():
        values = [r.get(key) for r in reports]
        if isinstance(value, dict):
            merged[key] = median_report([v for v in values if isinstance(v, dict)])
        elif isinstance(value, bool) or not isinstance(value, int | float):
            merged[key] = value
        else:
            numbers = [v for v in values if isinstance(v, int | float)]
            merged[key] = round(statistics.median(numbers), 4)
    return merged


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the evaluation and print (and optionally write) its JSON report."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--speech-dir", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--synthetic-minutes", type=float, default=0)
    parser.add_argument("--hotwords", action="store_true", help="also measure hotwords")
    parser.add_argument("--runs", type=int, default=1, help="report the median of N runs")
    parser.add_argument("--realtime", action="store_true", help="feed at wall-clock pace")
    parser.add_argument("--model", default=None, help="base, tiny.en or a model folder")
    parser.add_argument(
        "--pinned-language", action="store_true", help="also stream each clip in its language"
    )
    parser.add_argument("--chunk-seconds", type=float, default=CHUNK_S)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)

    from copilot.config import Settings
    from copilot.runtime import Copilot

    settings = Settings(asr_model=args.model) if args.model else Settings()
    copilot = Copilot(settings)
    decoder = copilot.asr_decoder
    options = copilot.stream_options()
    runs = [
        evaluate_asr(
            decoder,
            args.speech_dir,
            synthetic_minutes=args.synthetic_minutes if index == 0 else 0,
            realtime=args.realtime,
            chunk_seconds=args.chunk_seconds,
            options=options,
            pinned_language=args.pinned_language,
        )
        for index in range(max(1, args.runs))
    ]
    report = median_report(runs) if len(runs) > 1 else runs[0]
    if args.synthetic_minutes > 0 and len(runs) > 1:
        report["synthetic_host"] = runs[0]["synthetic_host"]  # too long to repeat
    report["runs"] = len(runs)
    report["model"] = settings.asr_model
    report["language"] = options.language or "detected"
    if args.hotwords:
        measured = [evaluate_hotwords(decoder, args.speech_dir, options=options) for _ in runs]
        report["hotwords"] = median_report(measured)
    text = json.dumps(report, ensure_ascii=False, indent=2)
    print(text)
    if args.out is not None:
        args.out.write_text(text + "\n", "utf-8")
    return report


if __name__ == "__main__":
    main()

"""Accuracy and behaviour of the streaming recogniser on real speech, through the live path.

Speech comes from `make speech` (evals/speech_data.py); every clip is fed in 0.1 s chunks on a
simulated real-time clock that starts an hour into a stream. On that clock each decode takes
its modelled time (`DecodeCost`: a quiet 2-core machine), not the time it took here: the
recogniser adapts to its decode times (partials, beam, skipping), and these tests check what
it writes, which must not depend on how busy the machine running them is. How fast it keeps
up on real time is the benchmark's (`copilot eval-asr`).
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import os
import re
import time
from pathlib import Path

import numpy as np
import pytest
from opencc import OpenCC

from copilot.demo_stream import HOST_SCRIPT, PAUSE_S, script_lines
from evals import host_script
from evals.asr import (
    HOTWORD_PRODUCTS,
    StreamRun,
    error_rate,
    librivox_stream,
    load_audio,
    matched_pairs,
    normalise_chinese,
    normalise_english,
    silence,
    stream,
    synthesize_cached,
)
from evals.host_script import espeak_available, speak
from evals.speech_data import F5, ZH_CLIP, ZH_TEXT, is_present, librivox_clips
from transcripts.asr.decoder import Hypothesis, WhisperDecoder, catalog_hotwords, join_words
from transcripts.asr.feed import DecodeCost
from transcripts.asr.models import TINY_EN, load_whisper
from transcripts.asr.streaming import SAMPLE_RATE, FinalSegment, StreamOptions

SPEECH_DIR = Path(
    os.environ.get("COPILOT_TEST_SPEECH_DIR", Path(__file__).parents[2] / "var" / "speech")
)
CLOCK_START = 3600.0  # an hour into the broadcast: times must be on the stream's clock
OPTIONS = StreamOptions()  # the runtime's defaults: language detected, beam 5
COST = DecodeCost()  # every decode takes its modelled time on the stream clock
BOUNDARY_SLACK_S = 0.1  # Whisper's word times are this loose; more is an overlap
RUN_ON_S = 25.0


@pytest.fixture(scope="module")
def speech_dir() -> Path:
    """The installed test speech, or a skip that says how to get it."""
    if not is_present(SPEECH_DIR):
        pytest.skip(f"no test speech in {SPEECH_DIR}: run `make speech`")
    return SPEECH_DIR


@pytest.fixture(scope="module")
def librivox_run(asr_decoder: WhisperDecoder, speech_dir: Path) -> tuple[StreamRun, list[str]]:
    """The five LibriVox sentences as one stream, and the reference words."""
    audio, reference = librivox_stream(speech_dir)
    run = stream(asr_decoder, audio, options=OPTIONS, clock_start=CLOCK_START, cost=COST)
    return run, [r.text for r in reference]


def assert_well_formed(finals: list[FinalSegment]) -> None:
    """Finals lie on the stream clock, in order, without overlapping one another."""
    assert finals
    for final in finals:
        assert CLOCK_START <= final.start < final.end <= final.emitted_at + BOUNDARY_SLACK_S
        assert final.text.strip()
        assert all(final.start <= w.start <= w.end <= final.end for w in final.words)
    for before, after in itertools.pairwise(finals):
        assert after.start >= before.end - BOUNDARY_SLACK_S, (before.text, after.text)
        assert after.emitted_at >= before.emitted_at


def boundary_insertions(finals: list[FinalSegment], reference: list[str]) -> list[str]:
    """Words on either side of a segment boundary that the reference does not account for."""
    tokens: list[str] = []
    edges: list[int] = []
    for final in finals:
        if tokens:
            edges += [len(tokens) - 1, len(tokens)]
        tokens += normalise_english(final.text)
    kept = {hyp for _, hyp in matched_pairs(reference, tokens)}
    return [tokens[i] for i in edges if i < len(tokens) and i not in kept]


def test_english_librivox_word_error_rate(librivox_run: tuple[StreamRun, list[str]]) -> None:
    run, reference = librivox_run
    hypothesis = normalise_english(run.text())
    assert error_rate(reference, hypothesis) < 0.15, run.text()


def test_finals_are_ordered_on_the_stream_clock_and_emitted_once(
    librivox_run: tuple[StreamRun, list[str]],
) -> None:
    run, _ = librivox_run
    assert_well_formed(run.finals)
    # The sentences are a second of silence apart: each is committed, none twice.
    assert len({(f.start, f.text) for f in run.finals}) == len(run.finals)
    assert len(run.finals) >= len(librivox_clips(SPEECH_DIR))
    with pytest.raises(dataclasses.FrozenInstanceError):
        run.finals[0].text = "changed"  # type: ignore[misc]


def test_tiny_en_streams_librivox_through_the_same_recogniser(
    speech_dir: Path, tmp_path: Path
) -> None:
    decoder = WhisperDecoder(load_whisper(TINY_EN, tmp_path), multilingual=False)
    audio, reference = librivox_stream(speech_dir)
    run = stream(decoder, audio, options=OPTIONS, clock_start=CLOCK_START, cost=COST)
    hypothesis = normalise_english(run.text())
    assert error_rate([r.text for r in reference], hypothesis) < 0.15, run.text()
    assert {f.language for f in run.finals} == {"en"}
    assert_well_formed(run.finals)


@pytest.fixture(scope="module")
def mandarin(speech_dir: Path) -> np.ndarray:
    """The f5-tts Mandarin clip, followed by the silence that closes it."""
    return np.concatenate([load_audio(speech_dir / F5 / ZH_CLIP), silence(1.0)])


@pytest.mark.parametrize(
    "options",
    [
        StreamOptions(language="zh"),  # as a room configured for Mandarin streams it
        StreamOptions(partial_every=60.0),  # detected once, on the whole utterance
    ],
    ids=["pinned", "detected"],
)
def test_mandarin_clip_is_accurate_and_simplified(
    asr_decoder: WhisperDecoder, mandarin: np.ndarray, options: StreamOptions
) -> None:
    run = stream(asr_decoder, mandarin, options=options, clock_start=CLOCK_START, cost=COST)
    text = run.text()
    assert error_rate(normalise_chinese(ZH_TEXT), normalise_chinese(text)) <= 0.25, text
    assert text == OpenCC("t2s").convert(text)
    assert {f.language for f in run.finals} == {"zh"}
    assert_well_formed(run.finals)


def test_language_detected_on_a_first_partial_does_not_decide_the_final(
    asr_decoder: WhisperDecoder, mandarin: np.ndarray
) -> None:
    # A slow machine affords one partial per utterance; a high cost ratio makes that certain.
    options = StreamOptions(partial_cost_ratio=100.0)
    run = stream(asr_decoder, mandarin, options=options, clock_start=CLOCK_START, cost=COST)
    assert {f.language for f in run.finals} == {"zh"}, run.text()


def _trimmed(clip: Path) -> np.ndarray:
    """A clip without its leading and trailing silence, from its word alignment."""
    words = [w for w in json.loads(clip.with_suffix(".json").read_text())["w"] if w["t"][0] != "<"]
    start, end = words[0]["b"], words[-1]["b"] + words[-1]["d"]
    audio = load_audio(clip)
    return audio[int(start * SAMPLE_RATE) : int(end * SAMPLE_RATE)]


@pytest.fixture(scope="module")
def run_on(asr_decoder: WhisperDecoder, speech_dir: Path) -> tuple[StreamRun, list[str], float]:
    """Over 25 s of sentences without a pause; the reference words; when the speech ends."""
    clips = librivox_clips(speech_dir)
    pieces: list[np.ndarray] = []
    texts: list[str] = []
    while sum(len(p) for p in pieces) < RUN_ON_S * SAMPLE_RATE:
        clip = clips[len(pieces) % len(clips)]
        pieces.append(_trimmed(clip))
        texts.append(clip.with_suffix(".txt").read_text())
    speech_end = CLOCK_START + sum(len(p) for p in pieces) / SAMPLE_RATE
    audio = np.concatenate([*pieces, silence(1.0)])
    run = stream(asr_decoder, audio, options=OPTIONS, clock_start=CLOCK_START, cost=COST)
    return run, normalise_english(" ".join(texts)), speech_end


def test_run_on_speech_keeps_the_buffer_bounded(
    run_on: tuple[StreamRun, list[str], float],
) -> None:
    run, reference, speech_end = run_on
    assert run.metrics.max_decoded <= OPTIONS.max_buffer
    # Committed while the speaker was still talking, not only once they stopped.
    assert any(f.emitted_at < speech_end for f in run.finals)
    assert_well_formed(run.finals)
    assert error_rate(reference, normalise_english(run.text())) < 0.25, run.text()


def test_run_on_commits_neither_repeat_nor_invent_words_at_boundaries(
    run_on: tuple[StreamRun, list[str], float],
) -> None:
    run, reference, _ = run_on
    assert boundary_insertions(run.finals, reference) == [], [f.text for f in run.finals]


def test_silence_and_noise_produce_no_finals(asr_decoder: WhisperDecoder) -> None:
    rng = np.random.default_rng(3)
    seconds = np.arange(8 * SAMPLE_RATE) / SAMPLE_RATE
    hum = 0.05 * np.sin(2 * np.pi * 50 * seconds)  # mains hum under a quiet room
    noise = rng.normal(0.0, 0.01, 8 * SAMPLE_RATE)
    audio = np.concatenate([silence(4.0), noise, hum + noise]).astype(np.float32)
    run = stream(asr_decoder, audio, options=OPTIONS, clock_start=CLOCK_START, cost=COST)
    assert run.finals == [], [f.text for f in run.finals]


@pytest.mark.skipif(not espeak_available(), reason="espeak-ng is not installed")
def test_hotwords_recognise_a_coined_product_name(asr_decoder: WhisperDecoder) -> None:
    line = "Next up is the Mirabloom face mask, only 49 dollars today."
    audio = np.concatenate([silence(0.5), speak(line), silence(1.0)])
    hotwords = catalog_hotwords(HOTWORD_PRODUCTS)  # the whole catalog, as the runtime passes it
    run = stream(
        asr_decoder, audio, options=OPTIONS, clock_start=CLOCK_START, hotwords=hotwords, cost=COST
    )
    heard = " ".join(normalise_english(run.text()))
    assert re.search(r"\bmirabloom face mask\b", heard), run.text()


@pytest.mark.skipif(not espeak_available(), reason="espeak-ng is not installed")
def test_a_chinese_catalog_does_not_bias_an_english_host(
    asr_decoder: WhisperDecoder, tmp_path: Path
) -> None:
    # Han-script hotwords on English speech made Whisper write the catalog instead of the
    # speech in about one beam-1 decode in twelve (partials, and every decode when behind).
    catalog = Path(__file__).parents[2] / "evals" / "datasets" / "demo" / "products.jsonl"
    products = [json.loads(line) for line in catalog.read_text("utf-8").splitlines()]
    hotwords = catalog_hotwords((p["name"], p["sku"]) for p in products if "name" in p)
    lines, pauses = host_script.host_script(90.0)
    audio = synthesize_cached(lines, pauses, tmp_path, "host").audio
    heard = [
        join_words(asr_decoder.decode(audio[start : start + size], 0.0, "en", 1, hotwords).words)
        for start in range(0, 80 * SAMPLE_RATE, 10 * SAMPLE_RATE)
        for size in (3 * SAMPLE_RATE, 6 * SAMPLE_RATE, 9 * SAMPLE_RATE)
    ]
    assert not [text for text in heard if re.search(r"[\u3400-\u9fff]", text)], heard


@pytest.mark.skipif(not espeak_available(), reason="espeak-ng is not installed")
def test_hotwords_nobody_says_stay_out_of_the_transcript(
    asr_decoder: WhisperDecoder, tmp_path: Path
) -> None:
    # The host never reads out the SKUs; on run-on lines and at the end of an utterance,
    # Whisper used to write them anyway ("stuck on HS-106 HS-107", "only 5 left. HS-108").
    hotwords = catalog_hotwords((name, sku) for name, sku, _ in host_script.host_products())
    lines, pauses = host_script.host_script(120.0)
    audio = synthesize_cached(lines, pauses, tmp_path, "host").audio
    run = stream(
        asr_decoder, audio, options=OPTIONS, clock_start=CLOCK_START, hotwords=hotwords, cost=COST
    )
    assert not re.findall(r"HS-?\d+", run.text()), run.text()
    reference = normalise_english(" ".join(lines))
    assert error_rate(reference, normalise_english(run.text())) < 0.15, run.text()


@pytest.mark.skipif(not espeak_available(), reason="espeak-ng is not installed")
def test_a_catalog_of_codes_is_not_written_over_the_host(
    asr_decoder: WhisperDecoder, tmp_path: Path
) -> None:
    # The demo room's English hotwords are mostly SKUs ("... APP-003 APP-004 ... GAD-007"):
    # the demo's host panel showed lines such as "APP-009 APP-008 GAD-005" where the host had
    # said "It is smooth and not too bitter.", and they moved the product on stage.
    catalog = Path(__file__).parents[2] / "evals" / "datasets" / "demo" / "products.jsonl"
    products = [json.loads(line) for line in catalog.read_text("utf-8").splitlines()]
    by_sku = sorted((p for p in products if "sku" in p), key=lambda p: p["sku"])
    hotwords = catalog_hotwords((p["name"], p["sku"]) for p in by_sku)  # as a room passes them
    lines = script_lines(HOST_SCRIPT.read_text("utf-8"))[4:8]  # chocolate, then skincare
    audio = synthesize_cached(lines, [PAUSE_S] * len(lines), tmp_path, "demo").audio
    run = stream(
        asr_decoder, audio, options=OPTIONS, clock_start=CLOCK_START, hotwords=hotwords, cost=COST
    )
    skus = {p["sku"] for p in products if "sku" in p}
    assert not [f.text for f in run.finals if re.search(r"[A-Z]{3}-?\d", f.text)], run.text()
    assert not [s for s in skus if s in run.text()]
    # What the hotwords had written over comes from the decode without them.
    reference = normalise_english(" ".join(lines))
    assert error_rate(reference, normalise_english(run.text())) < 0.35, run.text()
    assert "smooth" in run.text().lower()


class _Slowed:
    """A decoder on a busy machine: every decode takes a while longer."""

    def __init__(self, inner: WhisperDecoder, seconds: float) -> None:
        self.inner, self.seconds = inner, seconds
        self.calls = 0

    def decode(
        self,
        audio: np.ndarray,
        offset: float,
        language: str | None,
        beam_size: int,
        hotwords: str | None = None,
    ) -> Hypothesis:
        self.calls += 1
        time.sleep(self.seconds)
        return self.inner.decode(audio, offset, language, beam_size, hotwords)


def test_on_the_modelled_clock_the_machine_s_speed_changes_nothing(
    asr_decoder: WhisperDecoder, mandarin: np.ndarray
) -> None:
    # Charged real time, decodes 1 s slower would mean fewer partials and beam-1 finals.
    quick = stream(asr_decoder, mandarin, options=OPTIONS, clock_start=CLOCK_START, cost=COST)
    slowed = _Slowed(asr_decoder, 1.0)
    slow = stream(slowed, mandarin, options=OPTIONS, clock_start=CLOCK_START, cost=COST)
    assert slowed.calls == slow.metrics.decodes > 1
    assert [f.record() for f in slow.finals] == [f.record() for f in quick.finals]
    assert slow.metrics.as_dict() == quick.metrics.as_dict()

"""The streaming policy's pieces, and the English-only model through the same path."""

from __future__ import annotations

import itertools
from pathlib import Path

import faster_whisper.transcribe
import numpy as np
import pytest
from faster_whisper.transcribe import Segment, get_compression_ratio

from transcripts.asr.decoder import (
    CatalogTerms,
    WhisperDecoder,
    Word,
    _hallucinated,
    hotwords_for_language,
    join_words,
    supported_words,
)
from transcripts.asr.feed import DecodeCost, ModelledClock
from transcripts.asr.models import TINY_EN, is_multilingual, model_dir
from transcripts.asr.streaming import SAMPLE_RATE, StreamOptions, WhisperStreamer, agreed_prefix
from transcripts.asr.vad import utterances
from transcripts.asr.window import fitted_frames, fitted_window


def _words(text: str) -> tuple[Word, ...]:
    return tuple(Word(i, i + 0.5, f" {w}") for i, w in enumerate(text.split()))


def test_agreement_is_the_shared_prefix_ignoring_case_and_punctuation() -> None:
    before = _words("Order the bamboo mug, today")
    now = _words("order the Bamboo mug today and get")
    assert agreed_prefix(before, now) == 5
    assert agreed_prefix(_words("a b c"), _words("a x c")) == 1
    assert agreed_prefix((), now) == 0


def test_utterances_need_enough_silence_to_close_and_ignore_clicks() -> None:
    speech, silence = [0.9] * 20, [0.05] * 20
    probs = np.array(silence + speech + [0.1] * 5 + speech + silence + [0.9] * 3 + silence)
    found = utterances(probs, min_silence=16)
    # The 5-window dip is a breath, not the end; the 3-window burst is a click.
    assert [(u.start, u.end, u.closed) for u in found] == [(20, 65, True)]
    still_talking = utterances(np.array(silence + speech), min_silence=16)
    assert [(u.start, u.closed) for u in still_talking] == [(20, False)]


def test_bundled_models_resolve_without_any_download(tmp_path: Path) -> None:
    assert (model_dir(TINY_EN, tmp_path) / "model.bin").exists()
    assert not is_multilingual(TINY_EN) and is_multilingual("base")
    with pytest.raises(ValueError, match="unknown Whisper model"):
        model_dir("large-v3", tmp_path)


def test_far_behind_the_recogniser_skips_ahead_and_keeps_the_stream_clock(
    asr_decoder: WhisperDecoder,
) -> None:
    options = StreamOptions(max_backlog=20.0)
    recognizer = WhisperStreamer(asr_decoder, options, clock_start=50.0)
    for _ in range(30):  # 30 s arrive while nothing is processed
        recognizer.insert_audio_chunk(np.zeros(SAMPLE_RATE, dtype=np.float32))
    recognizer.process_iter()
    metrics = recognizer.metrics
    assert metrics.skipped_seconds == pytest.approx(10.0, abs=0.05)
    assert metrics.received == pytest.approx(30.0) and metrics.processed == pytest.approx(30.0)
    assert metrics.lag == 0.0


def test_whisper_encodes_a_window_fitted_to_the_audio() -> None:
    features = np.zeros((80, 300), dtype=np.float32)  # 3 s of mel frames
    with fitted_window(3.0):
        assert faster_whisper.transcribe.pad_or_trim(features).shape == (80, 800)
        assert fitted_frames(40.0) == 3000  # never more than Whisper's own window
    assert faster_whisper.transcribe.pad_or_trim(features).shape == (80, 3000)


def test_han_hotwords_are_kept_for_chinese_speech_only() -> None:
    catalog = "明前龙井绿茶 MT-01 安溪铁观音 250g TEA-002 steel thermos"
    assert hotwords_for_language(catalog, "zh") == catalog
    assert hotwords_for_language(catalog, "en") == "MT-01 250g TEA-002 steel thermos"
    assert hotwords_for_language("明前龙井绿茶", "en") is None
    assert hotwords_for_language(None, "zh") is None


@pytest.mark.parametrize(
    ("text", "looping"),
    [
        (" 云南古树滇红 浓香蜜 " + "热" * 32, True),  # what a decode stuck in a loop wrote
        (" SNK-002 泰国芒果 混合果仁 30%" * 4, True),
        (" Free shipping on the face cream for everyone in the live room today.", False),
        (" 这款铁观音今天直播间只要九十九元，前五十单还送一个茶杯。", False),
    ],
)
def test_a_looping_decode_is_dropped(text: str, looping: bool) -> None:
    segment = Segment(
        id=0,
        seek=0,
        start=0.0,
        end=8.0,
        text=text,
        tokens=[],
        avg_logprob=-0.3,
        compression_ratio=get_compression_ratio(text),
        no_speech_prob=0.01,
        words=None,
        temperature=0.0,
    )
    assert _hallucinated(segment, None) is looping


def test_the_tail_of_a_committed_word_heard_again_is_dropped(asr_decoder: WhisperDecoder) -> None:
    recognizer = WhisperStreamer(asr_decoder)
    recognizer._committed_tail = (Word(9.0, 9.6, " ill-disposed."),)
    echo = (Word(9.7, 9.9, " isposed."), Word(10.0, 10.3, " Had"))
    assert recognizer._without_echo(echo) == echo[1:]
    short = (Word(9.7, 9.9, " sed"), Word(10.0, 10.3, " Had"))
    assert recognizer._without_echo(short) == short  # too short to tell from a new word
    later = (Word(11.0, 11.3, " isposed"),)
    assert recognizer._without_echo(later) == later


# What the hotword-biased and the unbiased decodes wrote for the same audio, as recorded on the
# espeak-ng host (tests/transcripts/test_asr_accuracy.py), the demo host and the hotword script.
_CATALOG = CatalogTerms.of(
    "reading desk lamp HS-107 travel backpack HS-106 Quillora desk lamp QL-90 CloudSoft Fleece"
    " Hoodie APP-001 AirLite Wireless Earbuds GAD-001 APP-005 GAD-005 GAD-006 大红袍 TEA-002"
)


def _timed(text: str) -> tuple[Word, ...]:
    pieces = text.split("|") if "|" in text else [f" {w}" for w in text.split()]
    return tuple(Word(0.4 * i, 0.4 * i + 0.3, piece) for i, piece in enumerate(pieces))


@pytest.mark.parametrize(
    ("biased", "unbiased", "kept"),
    [
        # Catalog where the unbiased decode heard nothing: the hotwords talking.
        ("only 5 left. HS-108", "only 5 left.", "only 5 left."),
        ("for just $199 toddler HS-106 HS-107", "for just $199.", "for just $199"),
        ("APP-005 GAD-005 GAD-006", "", ""),
        # Catalog written over the speech: what was heard without hotwords stands.
        ("a lovely mode HS-107", "a lovely bonus", "a lovely bonus"),
        ("a| lovely| HS|-107", "a| lovely| bonus", "a lovely bonus"),  # no piece of it heard
        (
            "APP-005 GAD-005 GAD-006 APP-005",
            "It is smooth and not too bitter.",
            "It is smooth and not too bitter.",
        ),
        (
            "AirLite Wireless Earbuds GAD-005",
            "The Hydra Glow Serum is a light gel",
            "The Hydra Glow Serum is a light gel",
        ),
        ("HS-106 dollars", "106 dollars", "106 dollars"),
        # What hotwords are for: a misheard name or code corrected.
        (
            "the| code| is| QL|-90| today",
            "the| code| is| QL|-Inte| today",
            "the code is QL-90 today",
        ),
        ("the| code| is| VS|-40", "the| code| is| Vs|4D", "the code is VS-40"),
        ("the Quillora desk lamp", "the Quill or a Nest Lamb", "the Quillora desk lamp"),
        (
            "the CloudSoft Fleece Hoodie is warm",
            "the cloud soft flees hobby is warm",
            "the CloudSoft Fleece Hoodie is warm",
        ),
        ("这|款|大|红|袍|很|香", "这|款|打|哄|跑|很|香", "这款大红袍很香"),
        # No catalog term in the difference: the biased decode as it is.
        ("a free tote bag", "a free tote mag", "a free tote bag"),
    ],
)
def test_hotwords_keep_only_catalog_terms_the_audio_backs(
    biased: str, unbiased: str, kept: str
) -> None:
    assert join_words(supported_words(_timed(biased), _timed(unbiased), _CATALOG)) == kept


def test_words_taken_from_both_decodes_stay_in_time_order() -> None:
    biased = (Word(0.0, 0.5, " a"), Word(0.5, 1.0, " lovely"), Word(1.0, 2.2, " mode HS-107"))
    unbiased = (Word(0.0, 0.5, " a"), Word(0.5, 0.9, " lovely"), Word(0.9, 1.6, " bonus"))
    words = supported_words(biased, unbiased, _CATALOG)
    assert join_words(words) == "a lovely bonus"
    assert all(a.end <= b.start for a, b in itertools.pairwise(words))


def test_the_modelled_clock_charges_decodes_not_wall_time() -> None:
    cost = DecodeCost()
    clock = ModelledClock(cost)
    clock.spent(5.0)  # however long the step took here
    assert clock.now() == 0.0
    clock.charge(cost.seconds(9.0, 5, detected=False, checked=False))
    assert clock.now() == pytest.approx(1.5 * (0.2 + 0.013 * 9.0))
    assert cost.seconds(9.0, 1, True, True) > cost.seconds(9.0, 1, False, False)

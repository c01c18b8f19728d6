"""The streaming policy's pieces, and the English-only model through the same path."""

from __future__ import annotations

from pathlib import Path

import faster_whisper.transcribe
import numpy as np
import pytest
from faster_whisper.transcribe import Segment, get_compression_ratio

from transcripts.asr.decoder import WhisperDecoder, Word, _hallucinated, hotwords_for_language
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

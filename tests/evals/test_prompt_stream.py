"""The simulated chat stream of evals/prompt_stream.py: real properties of generated streams."""

from __future__ import annotations

import itertools
import json
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from evals.prompt_stream import (
    ATTR_BANKS,
    DEFAULT_MIX,
    MIN_VIEWERS,
    PRODUCT_BANKS,
    SHOP_TOPICS,
    WINDOW_S,
    RoomError,
    budget,
    has_cjk,
    load_room,
    main,
    truth_path,
)
from tests.conftest import MINI

DEMO = Path(__file__).parents[2] / "evals" / "datasets" / "demo"
QUESTIONS, MINUTES = 600, 5
Event = dict[str, Any]
Truth = dict[str, Any]


def _run(
    room: Path, out: Path, *, seed: int = 1, small: bool = True, extra: tuple[str, ...] = ()
) -> list[Event]:
    size = ["--questions", str(QUESTIONS), "--minutes", str(MINUTES)] if small else []
    assert (
        main(["--room-dir", str(room), "--seed", str(seed), "--out", str(out), *size, *extra]) == 0
    )
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def _questions(events: list[Event]) -> list[Event]:
    return [event for event in events if event["kind"] == "question"]


def _max_in_window(times: list[float]) -> int:
    best, lo = 0, 0
    for hi, t in enumerate(times):
        while t - times[lo] > WINDOW_S:
            lo += 1
        best = max(best, hi - lo + 1)
    return best


def _peak_viewers(events: list[Event]) -> dict[str, int]:
    """Per topic, the most unique viewers (repeats left out) asking it within WINDOW_S."""
    first_ask: dict[str, dict[str, float]] = defaultdict(dict)
    for event in _questions(events):
        if event["topic"] and event["noise"] is None:
            first_ask[str(event["topic"])].setdefault(str(event["viewer_id"]), float(event["t"]))
    return {topic: _max_in_window(sorted(asks.values())) for topic, asks in first_ask.items()}


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Event], Truth]:
    out = tmp_path_factory.mktemp("small") / "stream.jsonl"
    events = _run(DEMO, out)
    return events, json.loads(truth_path(out).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def full(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Event], Truth]:
    """The default stream: 5000 questions over 30 minutes."""
    out = tmp_path_factory.mktemp("full") / "stream.jsonl"
    events = _run(DEMO, out, small=False)
    return events, json.loads(truth_path(out).read_text(encoding="utf-8"))


def test_sorted_in_range_and_exact_count(small: tuple[list[Event], Truth]) -> None:
    events, truth = small
    times = [float(event["t"]) for event in events]
    assert times == sorted(times)
    assert times[0] >= 0 and times[-1] <= MINUTES * 60
    assert len(_questions(events)) == QUESTIONS == truth["questions"]
    host = [t for t, event in zip(times, events, strict=True) if event["kind"] == "host"]
    gaps = [b - a for a, b in itertools.pairwise(host)]
    assert host and all(7.9 <= gap <= 15.1 for gap in gaps)


def test_event_shapes(small: tuple[list[Event], Truth]) -> None:
    events, _ = small
    for event in events:
        if event["kind"] == "question":
            assert list(event) == ["t", "kind", "viewer_id", "text", "lang", "topic", "noise"]
            assert re.fullmatch(r"v\d{5}", str(event["viewer_id"]))
            assert event["lang"] in ("zh", "en") and str(event["text"]).strip()
            assert event["noise"] in (None, "oneoff", "reaction", "spam", "repeat")
        else:
            assert list(event) == ["t", "kind", "text", "answers"] and event["kind"] == "host"


def test_budget_and_noise_kinds(small: tuple[list[Event], Truth]) -> None:
    events, truth = small
    counts: dict[str, int] = defaultdict(int)
    for event in _questions(events):
        counts[str(event["noise"] or "topic")] += 1
    assert counts == budget(QUESTIONS, DEFAULT_MIX) == truth["counts"]
    assert set(counts) == {"topic", "oneoff", "reaction", "spam", "repeat"}


def test_planted_questions_have_topic_ids(small: tuple[list[Event], Truth]) -> None:
    events, truth = small
    for event in _questions(events):
        planted = event["noise"] in (None, "repeat")
        assert (event["topic"] is not None) == planted
        assert event["topic"] is None or event["topic"] in truth["topics"]
    # Each burst's viewers are its planted (non-repeat) questions, one each.
    planted_viewers = sum(b[2] for topic in truth["topics"].values() for b in topic["bursts"])
    assert planted_viewers == sum(1 for e in _questions(events) if e["noise"] is None)


def test_wording_banks_are_varied_and_bilingual() -> None:
    banks = [*PRODUCT_BANKS.values(), *ATTR_BANKS.values()]
    banks += [(topic.zh, topic.en) for topic in SHOP_TOPICS.values()]
    for zh, en in banks:
        assert len(set(zh)) >= 8 and len(set(en)) >= 5
        assert all(has_cjk(text) for text in zh)
        assert not any(has_cjk(text) for text in en)


def test_topics_are_asked_in_both_languages(full: tuple[list[Event], Truth]) -> None:
    events, truth = full
    langs: dict[str, list[str]] = defaultdict(list)
    for event in _questions(events):
        if event["noise"] is None:
            langs[truth["topics"][event["topic"]]["kind"]].append(str(event["lang"]))
    busy = {kind: set(seen) for kind, seen in langs.items() if len(seen) >= 20}
    assert len(busy) >= 5 and all(seen == {"zh", "en"} for seen in busy.values())
    zh_share = sum(seen.count("zh") for seen in langs.values()) / sum(map(len, langs.values()))
    assert 0.6 < zh_share < 0.8


def test_repeats_come_from_a_viewer_who_asked_already(small: tuple[list[Event], Truth]) -> None:
    events, _ = small
    asked: dict[tuple[str, str], float] = {}
    repeats = 0
    for event in _questions(events):
        key = (str(event["viewer_id"]), str(event["topic"]))
        if event["noise"] == "repeat":
            repeats += 1
            assert key in asked and float(event["t"]) - asked[key] <= 3 * 15.0
        elif event["noise"] is None:
            assert key not in asked or float(event["t"]) - asked[key] > WINDOW_S
            asked[key] = float(event["t"])
    assert repeats == budget(QUESTIONS, DEFAULT_MIX)["repeat"]


def test_host_answers_after_the_topic_built_up(full: tuple[list[Event], Truth]) -> None:
    events, truth = full
    askers: dict[str, set[str]] = defaultdict(set)
    wordings: dict[str, set[str]] = defaultdict(set)
    answered: dict[str, list[float]] = defaultdict(list)
    for event in events:
        if event["kind"] == "question" and event["topic"]:
            askers[str(event["topic"])].add(str(event["viewer_id"]))
            wordings[str(event["topic"])].add(str(event["text"]))
        elif event["kind"] == "host" and event["answers"]:
            topic = str(event["answers"])
            assert len(askers[topic]) >= MIN_VIEWERS
            assert event["text"] not in wordings[topic]
            answered[topic].append(float(event["t"]))
    assert answered
    assert {topic: sorted(ts) for topic, ts in answered.items()} == {
        topic: info["answered_at"] for topic, info in truth["topics"].items() if info["answered_at"]
    }
    # Some topics come back after the host has answered them.
    recurring = [
        topic
        for topic, info in truth["topics"].items()
        if info["answered_at"] and any(b[0] > info["answered_at"][0] for b in info["bursts"])
    ]
    assert recurring


def test_hot_and_sub_threshold_topics(full: tuple[list[Event], Truth]) -> None:
    events, truth = full
    peaks = _peak_viewers(events)
    assert len(truth["topics"]) >= 25
    assert sum(1 for peak in peaks.values() if peak >= MIN_VIEWERS) >= 25
    assert sum(1 for peak in peaks.values() if 2 <= peak < MIN_VIEWERS) >= 10
    assert all(peaks[topic] == info["max_unique_120s"] for topic, info in truth["topics"].items())


def test_this_one_only_for_product_topics(full: tuple[list[Event], Truth]) -> None:
    events, truth = full
    deictic = [
        event
        for event in _questions(events)
        if re.search(r"这个|这款|this one", str(event["text"]), re.I)
    ]
    assert deictic
    for event in deictic:
        assert event["topic"] and truth["topics"][event["topic"]]["product_sku"]


def test_deterministic(tmp_path: Path) -> None:
    first, again, other = tmp_path / "a.jsonl", tmp_path / "b.jsonl", tmp_path / "c.jsonl"
    _run(DEMO, first)
    _run(DEMO, again)
    _run(DEMO, other, seed=2)
    assert first.read_bytes() == again.read_bytes()
    assert first.read_bytes() != other.read_bytes()


def test_another_room(tmp_path: Path) -> None:
    assert (MINI / "products.jsonl").is_file()
    out = tmp_path / "mini.jsonl"
    events = _run(MINI, out)
    truth = json.loads(truth_path(out).read_text(encoding="utf-8"))
    skus = {product.sku for product in load_room(MINI).products}
    assert len(_questions(events)) == QUESTIONS
    product_topics = [info for info in truth["topics"].values() if info["product_sku"]]
    assert product_topics and all(info["product_sku"] in skus for info in product_topics)
    assert truth["room_dir"] == str(MINI)


def test_en_share_zero_is_all_chinese(tmp_path: Path) -> None:
    events = _run(DEMO, tmp_path / "zh.jsonl", extra=("--en-share", "0"))
    planted = [event for event in _questions(events) if event["noise"] is None]
    assert planted and all(event["lang"] == "zh" for event in planted)


def test_bad_room_dir_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(RoomError, match=re.escape(str(tmp_path))):
        load_room(tmp_path)
    with pytest.raises(SystemExit, match=r"products\.jsonl: missing"):
        main(["--room-dir", str(tmp_path), "--out", str(tmp_path / "out.jsonl")])
    (tmp_path / "products.jsonl").write_text('{"sku": "A", "name": "x"}\nnot json\n')
    with pytest.raises(SystemExit, match=r"products\.jsonl:2: not JSON"):
        main(["--room-dir", str(tmp_path), "--out", str(tmp_path / "out.jsonl")])
    assert not (tmp_path / "out.jsonl").exists()


def test_module_cli_reports_without_traceback(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    result = subprocess.run(
        [sys.executable, "-m", "evals.prompt_stream", "--room-dir", str(missing), "--out", "x"],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).parents[2],
    )
    assert result.returncode != 0
    assert str(missing) in result.stderr and "Traceback" not in result.stderr

"""The promotion-line classifier on host lines it was not trained on."""

from __future__ import annotations

from copilot.retrieval import PROMOTION_LINE_MIN
from copilot.runtime import Copilot


def test_announcements_score_above_ordinary_host_talk(sqlite_copilot: Copilot) -> None:
    announcements = [
        "今晚下单的前200位，每人多送一包试吃装，拍下自动发。",
        "Use code SPRING15 at checkout for fifteen off, tonight only.",
    ]
    ordinary = [
        "这款面料是纯棉的，夏天穿很透气。",
        "谢谢小鱼送的玫瑰，欢迎新来的朋友！",
    ]
    vectors = sqlite_copilot.embedder.encode_passages(announcements + ordinary)
    scores = sqlite_copilot.promotion_lines.probabilities(vectors)
    assert min(scores[:2]) > PROMOTION_LINE_MIN > max(scores[2:])

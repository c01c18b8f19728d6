"""Understanding: language, reactions, order ids and intents on wordings not in the training set."""

from __future__ import annotations

import pytest

from copilot.runtime import Copilot
from copilot.understand import understand
from copilot.understand.features import detect_language


def test_language() -> None:
    assert detect_language("这个price多少") == "zh"
    assert detect_language("is this one still 128?") == "en"


@pytest.mark.parametrize(
    "text", ["6666666666", "🔥🔥🔥", "哈哈哈哈哈", "主播今天好美啊", "hello from Toronto!"]
)
def test_reactions_are_chitchat(sqlite_copilot: Copilot, text: str) -> None:
    assert understand(text, sqlite_copilot.classifier).intent == "chitchat"


def test_order_ids_are_extracted(sqlite_copilot: Copilot) -> None:
    result = understand("帮我查下 DD20261101001 和 BO-88001", sqlite_copilot.classifier)
    assert result.order_ids == ["DD20261101001", "BO-88001"]
    assert result.intent == "order_status"


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("那个蓝色的保温壶多少钱呀", "price_stock"),
        ("what's the price on the wool scarf", "price_stock"),
        ("我的包裹怎么还没到，物流三天没动了", "order_status"),
        ("the vase I got is cracked, I want my money back", "after_sales"),
        ("给我转人工客服", "human"),
        ("怀孕了可以用这个面霜吗", "health_safety"),
        ("支持开增值税发票吗", "policy"),
    ],
)
def test_intents_generalise(sqlite_copilot: Copilot, text: str, intent: str) -> None:
    assert understand(text, sqlite_copilot.classifier).intent == intent

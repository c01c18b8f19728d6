"""How the clusterer keys and compares topics, on hand-made vectors (no model): the product
is a hard key, a translation gets the lexical evidence it cannot have, and host lines are
compared by clause without the names of the products asked about."""

from __future__ import annotations

import numpy as np

from copilot.hostprompts.clusters import (
    CROSS_LANGUAGE_ALLOWANCE,
    JOIN_MIN,
    SAME_INTENT_BONUS,
    Question,
    TopicClusterer,
)
from copilot.hostprompts.features import line_pieces, without_names

DIMENSIONS = 8


def unit(*values: float) -> np.ndarray:
    vector = np.zeros(DIMENSIONS, dtype=np.float32)
    vector[: len(values)] = values
    return vector / np.linalg.norm(vector)


def asked(
    viewer: str,
    at: float,
    semantic: np.ndarray,
    *,
    language: str = "zh",
    product: str | None = None,
    lexical: np.ndarray | None = None,
) -> Question:
    return Question(
        viewer_id=viewer,
        text=f"{viewer} asks",
        at=at,
        language=language,
        intent="price_stock",
        product_sku=product,
        semantic=semantic,
        lexical=lexical if lexical is not None else unit(1.0),
    )


def test_the_same_words_about_two_products_are_two_topics() -> None:
    clusterer = TopicClusterer(window_s=120)
    first = clusterer.add(asked("a", 1, unit(1.0), product="TEA-1"))
    other = clusterer.add(asked("b", 2, unit(1.0), product="TEA-2"))
    none = clusterer.add(asked("c", 3, unit(1.0), product=None))
    again = clusterer.add(asked("d", 4, unit(1.0), product="TEA-1"))
    assert len({first.id, other.id, none.id}) == 3 and again.id == first.id


def test_a_translation_joins_with_the_allowance() -> None:
    # With the same-intent bonus, just under the join threshold; no shared characters.
    cosine = JOIN_MIN - SAME_INTENT_BONUS - CROSS_LANGUAGE_ALLOWANCE / 2
    zh = unit(1.0)
    en = unit(cosine, float(np.sqrt(1 - cosine**2)))
    no_shared = unit(0.0, 0.0, 1.0)
    clusterer = TopicClusterer(window_s=120)
    topic = clusterer.add(asked("a", 1, zh))
    translated = clusterer.add(asked("b", 2, en, language="en", lexical=no_shared))
    assert translated.id == topic.id
    same_language = TopicClusterer(window_s=120)
    alone = same_language.add(asked("a", 1, zh))
    assert same_language.add(asked("b", 2, en, lexical=no_shared)).id != alone.id


def test_host_lines_lose_the_names_asked_about_and_split_into_clauses() -> None:
    names = {"MT-01": "明前龙井绿茶", "MT-03": "Bamboo Travel Mug"}
    text, named = without_names("明前龙井绿茶今天128，库存还有42件", names)
    assert named == {"MT-01"} and "龙井" not in text
    assert without_names("今天大家都在问发货", names) == ("今天大家都在问发货", set())
    pieces = line_pieces("看到很多人在问规格，统一回复一下：是5袋装，价格是12.5元")
    assert pieces[0].startswith("看到很多人") and "价格是12.5元" in pieces  # decimals stay whole
    assert line_pieces("好的") == ["好的"]

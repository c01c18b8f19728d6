"""What the clusterer compares: meaning (a multilingual embedding) and wording (n-grams)."""

from __future__ import annotations

import re

import numpy as np
from sklearn.feature_extraction.text import HashingVectorizer

from knowledge.embedder import Embedder

LEXICAL_DIMENSIONS = 2**11  # short texts: collisions stay rare, and the topic matrix small
_NOT_WORD = re.compile(r"[^\w\u4e00-\u9fff]+", re.UNICODE)


_LATIN_WORD = re.compile(r"[a-z0-9]+")
MIN_NAME_PIECE = 2  # characters of a product's name that count as naming it


def without_name(text: str, name: str) -> str:
    """The question with the product's name taken out: what it asks about that product.

    The product is part of a topic's key already, so its name must not make "大红袍多少钱"
    and "大红袍是哪里产的" look alike, nor "这个产地是哪" and "大红袍产地" apart. Any run of
    the name's characters (two or more: typos and short forms too) and any of its Latin
    words are removed.
    """
    rest = text
    cjk = _NOT_WORD.sub("", name.lower())
    for size in range(len(cjk), MIN_NAME_PIECE - 1, -1):
        for start in range(len(cjk) - size + 1):
            piece = cjk[start : start + size]
            if not _LATIN_WORD.fullmatch(piece) and piece in rest.lower():
                rest = re.sub(re.escape(piece), " ", rest, flags=re.IGNORECASE)
    for word in set(_LATIN_WORD.findall(name.lower())):
        if len(word) >= 3:
            rest = re.sub(rf"(?<![a-z]){re.escape(word)}(?![a-z])", " ", rest, flags=re.I)
    return rest if _NOT_WORD.sub("", rest) else text


class TopicFeatures:
    """Vectors of short texts, L2-normalised, in one batch."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder
        self._ngrams = HashingVectorizer(
            analyzer="char",
            ngram_range=(1, 3),
            n_features=LEXICAL_DIMENSIONS,
            alternate_sign=False,
            norm="l2",
        )

    def vectors(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(semantic, lexical) matrices, one row per text."""
        if not texts:
            return np.zeros((0, 0)), np.zeros((0, 0))
        semantic = np.asarray(self.embedder.encode_queries(texts), dtype=np.float32)
        # Punctuation, emoji and spacing are how a message is typed, not what it asks.
        cleaned = [_NOT_WORD.sub("", t.lower()) or t for t in texts]
        lexical = self._ngrams.transform(cleaned).toarray().astype(np.float32)
        return semantic, lexical

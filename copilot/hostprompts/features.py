"""What the clusterer compares: meaning (a multilingual embedding) and wording (n-grams)."""

from __future__ import annotations

import re

import numpy as np
from sklearn.feature_extraction.text import HashingVectorizer

from knowledge.embedder import Embedder

LEXICAL_DIMENSIONS = 2**11  # short texts: collisions stay rare, and the topic matrix small
_NOT_WORD = re.compile(r"[^\w\u4e00-\u9fff]+", re.UNICODE)


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

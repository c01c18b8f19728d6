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


def without_names(text: str, names: dict[str, str]) -> tuple[str, set[str]]:
    """A host line with the names of these products (by SKU) taken out, and the SKUs it named.

    Topics are compared without their product's name, so a line must be too: "大红袍今天
    128" then answers "这个多少钱" about 大红袍 as closely as "这个多少钱" asks it.
    """
    named = set()
    for sku, name in names.items():
        rest = without_name(text, name)
        if rest != text:
            named.add(sku)
            text = rest
    return text, named


_CLAUSE_END = re.compile(r"(?:[，。！？；：!?;:\n]|[.,](?!\d))+")  # "12.5元" stays whole
MIN_CLAUSE_CHARS = 2


def line_pieces(text: str) -> list[str]:
    """A host line and its clauses: "看到很多人在问规格，统一回复一下：是5袋装" restates the
    question in one clause and answers it in another, and the whole blurs both."""
    clauses = [c.strip() for c in _CLAUSE_END.split(text)]
    kept = [c for c in clauses if len(_NOT_WORD.sub("", c)) >= MIN_CLAUSE_CHARS]
    return [text, *kept] if len(kept) > 1 else [text]


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

"""Hybrid retrieval: BM25 and dense scores over the same documents, fused by rank."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from knowledge.embedder import Embedder
from knowledge.index import FaissIndex
from knowledge.lexical import BM25, name_words, tokenize

RRF_K = 60  # reciprocal-rank-fusion damping, the usual value from the literature
NAME_LINK_MIN = 0.5  # share of a name's (IDF-weighted) words a text must contain to mention it
MENTION_MIN_RUN = 3  # characters in a row shared with the name, for a mention
_LATIN_WORD = re.compile(r"[a-z0-9][a-z0-9\-]*")


@dataclass(frozen=True)
class Document:
    """A retrievable unit: a product, a policy, a transcript segment."""

    kind: str
    id: str
    text: str
    meta: dict[str, object] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class Hit:
    """A retrieved document with its cosine similarity to the query."""

    doc: Document
    dense: float


class HybridIndex:
    """BM25 (jieba) plus FAISS (dense) over one set of documents."""

    def __init__(self, documents: list[Document], embedder: Embedder) -> None:
        self.documents = documents
        self.embedder = embedder
        self.bm25 = BM25([tokenize(d.text) for d in documents])
        self.vectors = embedder.encode_passages([d.text for d in documents])
        self.faiss = FaissIndex(embedder.dim)
        self.faiss.add(self.vectors)

    def dense_scores(self, query_vector: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """Cosine similarity of every document to the query vector."""
        scores = np.zeros(len(self.documents), dtype=np.float32)
        sims, ids = self.faiss.search(query_vector, len(self.documents))
        scores[ids] = sims
        return scores

    def raw_scores(
        self, query: str, query_vector: npt.NDArray[np.float32]
    ) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
        """(dense, BM25) score of every document."""
        return self.dense_scores(query_vector), self.bm25.scores(tokenize(query))

    def search(
        self, query: str, *, k: int = 5, query_vector: npt.NDArray[np.float32] | None = None
    ) -> list[Hit]:
        """Top-k documents by reciprocal-rank fusion of the dense and BM25 rankings."""
        if not self.documents:
            return []
        if query_vector is None:
            query_vector = self.embedder.encode_queries([query])[0]
        return self.ranked(*self.raw_scores(query, query_vector), k=k)

    def ranked(
        self, dense: npt.NDArray[np.float32], lexical: npt.NDArray[np.float32], *, k: int = 5
    ) -> list[Hit]:
        """Top-k documents by reciprocal-rank fusion of `raw_scores` already computed."""
        fused = _rrf(dense) + np.where(lexical > 0, _rrf(lexical), 0.0)
        order = np.argsort(-fused)[:k]
        return [Hit(self.documents[i], float(dense[i])) for i in order]


def _rrf(scores: npt.NDArray[np.float32]) -> npt.NDArray[np.float64]:
    ranks = np.empty(len(scores), dtype=np.float64)
    ranks[np.argsort(-scores, kind="stable")] = np.arange(1, len(scores) + 1)
    return 1.0 / (RRF_K + ranks)


class NameLinker:
    """Finds which named entities (products) a text mentions, by IDF-weighted word coverage.

    A name's words count as present when they occur anywhere in the text, so a viewer's
    "桂花乌龙" still covers "桂花乌龙茶" whatever the segmenter does with either.
    """

    def __init__(self, names: dict[str, list[str]], codes: dict[str, str] | None = None) -> None:
        # names: entity id -> its surface forms; codes: entity id -> its code (a SKU), which is
        # one token: "TEA-008" is said whole or not at all, it never lends "tea" to a sentence.
        self._codes = {entity: _code_pattern(code) for entity, code in (codes or {}).items()}
        self._surface = {entity: [f.lower() for f in forms] for entity, forms in names.items()}
        self._forms: list[tuple[str, set[str], set[str]]] = []
        self._words_of: dict[str, set[str]] = {}
        df: dict[str, int] = {}
        for entity, forms in names.items():
            for form in forms:
                words = name_words(form)
                measures = {w for w in words if _is_measure(w)}
                if words - measures:
                    self._forms.append((entity, words - measures, measures))
                    self._words_of.setdefault(entity, set()).update(words - measures)
                    for w in words:
                        df[w] = df.get(w, 0) + 1
        total = max(len(self._forms), 1)
        self._idf = {w: float(np.log(1 + total / n)) for w, n in df.items()}

    def scores(self, text: str) -> dict[str, float]:
        """Best coverage of each entity's surface forms by the text (0..1), sizes as a bonus."""
        lowered = text.lower()
        latin = set(_LATIN_WORD.findall(lowered))
        best = {entity: 1.0 for entity, code in self._codes.items() if code.search(lowered)}
        for entity, words, measures in self._forms:
            weight = sum(self._idf[w] for w in words)
            covered = sum(self._idf[w] for w in words | measures if _present(w, latin, lowered))
            # Sizes count when said ("the 160ml bottle") but are rarely said, so they add
            # to what is covered without adding to what must be.
            best[entity] = max(best.get(entity, 0.0), min(covered / weight, 1.0) if weight else 0.0)
        return best

    def mentioned(self, text: str, minimum: float = NAME_LINK_MIN) -> str | None:
        """The entity the text names most clearly, if any reaches `minimum` coverage.

        Coverage alone lets one generic word ("便携" of "便携榨汁杯") name a product, so a
        mention also needs two of the name's words ("轻旅…推车"), a run of MENTION_MIN_RUN
        characters shared with a surface form, or a whole latin word of one.
        """
        ranked = sorted(self.scores(text).items(), key=lambda kv: -kv[1])
        lowered = text.lower()
        latin = set(_LATIN_WORD.findall(lowered))
        for entity, score in ranked:
            if score < minimum:
                return None
            if entity in self._codes and self._codes[entity].search(lowered):
                return entity
            said = {w for w in self._words_of.get(entity, set()) if _present(w, latin, lowered)}
            if len(said) >= 2 or any(
                _shares_run(form, lowered, latin) for form in self._surface.get(entity, [])
            ):
                return entity
        return None


def _code_pattern(code: str) -> re.Pattern[str]:
    """A code as one token, its parts joined by nothing, a space, a dash or an underscore."""
    parts = re.findall(r"[a-z]+|[0-9]+|[^\sa-z0-9\-_]+", code.lower())
    return re.compile(r"(?<![a-z0-9])" + r"[\s\-_]?".join(map(re.escape, parts)) + r"(?![a-z0-9])")


def _present(word: str, latin: set[str], text: str) -> bool:
    return word in latin if word.isascii() else word in text


def _shares_run(form: str, text: str, latin: set[str]) -> bool:
    """Whether text contains MENTION_MIN_RUN consecutive CJK characters of form, or a latin word."""
    if any(
        word in latin
        for word in _LATIN_WORD.findall(form)
        if len(word) >= MENTION_MIN_RUN and not word[0].isdigit()
    ):
        return True
    return any(
        form[i : i + MENTION_MIN_RUN] in text
        for i in range(len(form) - MENTION_MIN_RUN + 1)
        if all("\u4e00" <= c <= "\u9fff" for c in form[i : i + MENTION_MIN_RUN])
    )


def _is_measure(gram: str) -> bool:
    # Pack sizes ("250g", "2", "500ml") are rarely how people refer to a product.
    return gram[:1].isdigit()

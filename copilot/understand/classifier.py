"""Intent classifier: logistic regression over sentence embeddings and character n-grams.

Trained on `intents.jsonl` and `examples/*.jsonl`, generic live-chat examples written apart
from every evaluation set; the fitted model is stored under COPILOT_HOME so later runs skip
training.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from copilot.understand.training import fit_or_load
from knowledge.embedder import Embedder

HERE = Path(__file__).parent
# The first examples, and since then one file per "author" (a style of writing: a young
# Taobao shopper, an older one, live-room fragments, English native and not, code-switching,
# formal support messages, a shop's after-sales chat, pre-sale live-room chat, English support
# chat), so cross-validation can hold out a whole style.
EXAMPLES = [HERE / "intents.jsonl", *sorted((HERE / "examples").glob("*.jsonl"))]
REGULARISATION_C = 10.0  # chosen by 5-fold cross-validation on the examples only
NGRAM_WEIGHT = 0.5  # character n-grams catch slang and typos the encoder blurs


class IntentClassifier:
    """Predicts an intent and its probability for a viewer message."""

    def __init__(
        self,
        embedder: Embedder,
        cache_dir: Path | None = None,
        rows: list[dict[str, Any]] | None = None,
    ) -> None:
        """Fitted on the bundled examples (cached), or on `rows` when given (cross-validation)."""
        self.embedder = embedder
        if rows is not None:
            self._ngrams, self._model = self._fit(rows)
            return
        self._ngrams, self._model = fit_or_load(
            "intent", EXAMPLES, embedder_name=embedder.name, cache_dir=cache_dir, fit=self._fit
        )

    def _fit(self, rows: list[dict[str, Any]]) -> tuple[TfidfVectorizer, LogisticRegression]:
        texts = [r["text"] for r in rows]
        self._ngrams = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True)
        self._ngrams.fit(texts)
        model = LogisticRegression(C=REGULARISATION_C, max_iter=3000)
        model.fit(self._features(texts), [r["intent"] for r in rows])
        return self._ngrams, model

    def _features(self, texts: list[str]) -> csr_matrix:
        dense = csr_matrix(self.embedder.encode_queries(texts))
        return hstack([dense, self._ngrams.transform(texts) * NGRAM_WEIGHT]).tocsr()

    def predict(self, text: str) -> dict[str, float]:
        """Probability of each intent, highest first."""
        probabilities = self._model.predict_proba(self._features([text]))[0]
        order = np.argsort(-probabilities)
        return {str(self._model.classes_[i]): float(probabilities[i]) for i in order}


def example_rows() -> list[dict[str, Any]]:
    """Every bundled example, each with its author (the first file's rows: "first_examples")."""
    rows: list[dict[str, Any]] = []
    for path in EXAMPLES:
        for line in path.read_text("utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                row.setdefault("author", "first_examples")
                rows.append(row)
    return rows

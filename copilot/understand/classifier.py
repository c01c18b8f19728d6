"""Intent classifier: logistic regression over sentence embeddings and character n-grams.

Trained on `intents.jsonl`, generic live-chat examples written apart from every evaluation
set; the fitted model is stored under COPILOT_HOME so later runs skip training.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import joblib
import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from knowledge.embedder import Embedder

EXAMPLES = Path(__file__).with_name("intents.jsonl")
REGULARISATION_C = 10.0  # chosen by 5-fold cross-validation on the examples only
NGRAM_WEIGHT = 0.5  # character n-grams catch slang and typos the encoder blurs


class IntentClassifier:
    """Predicts an intent and its probability for a viewer message."""

    def __init__(self, embedder: Embedder, cache_dir: Path | None = None) -> None:
        self.embedder = embedder
        rows = [json.loads(line) for line in EXAMPLES.read_text("utf-8").splitlines() if line]
        texts = [r["text"] for r in rows]
        labels = [r["intent"] for r in rows]
        digest = hashlib.sha1((embedder.name + EXAMPLES.read_text("utf-8")).encode()).hexdigest()[
            :16
        ]
        cached = cache_dir / f"intent-{digest}.joblib" if cache_dir else None
        if cached is not None and cached.exists():
            self._ngrams, self._model = joblib.load(cached)
            return
        self._ngrams = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True)
        self._ngrams.fit(texts)
        self._model = LogisticRegression(C=REGULARISATION_C, max_iter=3000)
        self._model.fit(self._features(texts), labels)
        if cached is not None:
            cached.parent.mkdir(parents=True, exist_ok=True)
            joblib.dump((self._ngrams, self._model), cached)

    @property
    def intents(self) -> list[str]:
        """The labels the classifier knows."""
        return [str(c) for c in self._model.classes_]

    def _features(self, texts: list[str]) -> csr_matrix:
        dense = csr_matrix(self.embedder.encode_queries(texts))
        return hstack([dense, self._ngrams.transform(texts) * NGRAM_WEIGHT]).tocsr()

    def predict(self, text: str) -> dict[str, float]:
        """Probability of each intent, highest first."""
        probabilities = self._model.predict_proba(self._features([text]))[0]
        order = np.argsort(-probabilities)
        return {str(self._model.classes_[i]): float(probabilities[i]) for i in order}

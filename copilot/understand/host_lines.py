"""Which host lines announce a promotion (gift, coupon, code, flash sale) and how to claim it.

Trained on `host_lines.jsonl`, generic host speech written apart from every evaluation set,
over passage vectors, so a transcript index's own vectors can be scored without re-encoding.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn.linear_model import LogisticRegression

from copilot.understand.training import fit_or_load
from knowledge.embedder import Embedder, Vectors

EXAMPLES = Path(__file__).with_name("host_lines.jsonl")
REGULARISATION_C = 100.0  # chosen by 5-fold cross-validation on the examples only


class PromotionLineClassifier:
    """P(a host line announces a promotion) from its passage vector."""

    def __init__(self, embedder: Embedder, cache_dir: Path | None = None) -> None:
        def fit(rows: list[dict[str, Any]]) -> LogisticRegression:
            vectors = embedder.encode_passages([r["text"] for r in rows])
            labels = [r["label"] == "promotion" for r in rows]
            return LogisticRegression(C=REGULARISATION_C, max_iter=3000).fit(vectors, labels)

        self._model = fit_or_load(
            "host-lines", EXAMPLES, embedder_name=embedder.name, cache_dir=cache_dir, fit=fit
        )

    def probabilities(self, vectors: Vectors) -> npt.NDArray[np.float64]:
        """Promotion probability of each line."""
        if len(vectors) == 0:
            return np.zeros(0)
        positive = list(self._model.classes_).index(True)
        return np.asarray(self._model.predict_proba(vectors)[:, positive], dtype=np.float64)

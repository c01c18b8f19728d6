"""Vector search behind a small Protocol; FAISS in process is the implementation."""

from __future__ import annotations

from typing import Protocol

import faiss
import numpy as np

from knowledge.embedder import Vectors


class VectorIndex(Protocol):
    """Inner-product search over normalised vectors."""

    def add(self, vectors: Vectors) -> None: ...

    def search(self, query: Vectors, k: int) -> tuple[np.ndarray, np.ndarray]: ...

    def __len__(self) -> int: ...


class FaissIndex:
    """Exact inner-product search (IndexFlatIP): rooms hold thousands of entries, not millions."""

    def __init__(self, dim: int) -> None:
        self._index = faiss.IndexFlatIP(dim)

    def add(self, vectors: Vectors) -> None:
        """Append vectors; their ids are their positions."""
        if len(vectors):
            self._index.add(np.ascontiguousarray(vectors, dtype=np.float32))

    def search(self, query: Vectors, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(scores, ids) of the k nearest vectors to one query vector."""
        k = min(k, self._index.ntotal)
        if k == 0:
            return np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64)
        scores, ids = self._index.search(np.ascontiguousarray(query.reshape(1, -1)), k)
        return scores[0], ids[0]

    def __len__(self) -> int:
        return int(self._index.ntotal)

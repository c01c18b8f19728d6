"""Versioned prompt templates, loaded by name and version (e.g. `load("answer", 1)`)."""

from __future__ import annotations

from pathlib import Path

PROMPTS = Path(__file__).parent


def load(name: str, version: int = 1) -> str:
    """The text of `{name}.v{version}.md`."""
    path = PROMPTS / f"{name}.v{version}.md"
    if not path.is_file():
        raise FileNotFoundError(f"no prompt template {path.name}")
    return path.read_text("utf-8")

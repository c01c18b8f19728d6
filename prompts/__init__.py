"""Versioned prompt templates, loaded by name and version (e.g. `load_chat("answer", 3)`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # langchain loads only for the LLM's prompts, not for every command
    from langchain_core.prompts import ChatPromptTemplate

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


def load_chat(name: str, version: int) -> ChatPromptTemplate:
    """`{name}.v{version}.md` as a chat prompt: a system part, `---`, then the user's part."""
    from langchain_core.prompts import ChatPromptTemplate

    system, _, human = load(name, version).partition("\n---\n")
    if not human:
        raise ValueError(f"prompt {name}.v{version} has no '---' line before the user's part")
    return ChatPromptTemplate.from_messages([("system", system), ("human", human)])

"""Strict JSONL parsing: every line validated before anything is stored."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from pydantic import ValidationError

T = TypeVar("T")


@dataclass(frozen=True)
class LineError(Exception):
    """A malformed line: its 1-based number, the offending field and why."""

    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f" field '{self.field}'" if self.field else ""
        return f"line {self.line}{where}: {self.message}"


def parse_lines(lines: Iterable[str], parse: Callable[[dict[str, object]], T]) -> list[T]:
    """Parse JSONL lines with `parse`; raise LineError on the first bad line."""
    records: list[T] = []
    for number, raw in enumerate(lines, start=1):
        text = raw.strip()
        if not text:
            continue
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            raise LineError(number, "", f"invalid JSON ({exc.msg} at column {exc.colno})") from exc
        if not isinstance(obj, dict):
            raise LineError(number, "", "expected a JSON object")
        try:
            records.append(parse(obj))
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(part) for part in first["loc"])
            raise LineError(number, field, first["msg"]) from exc
    return records

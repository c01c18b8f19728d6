"""Grounding guard: every number is in a cited source and the catalog has not moved since."""

from __future__ import annotations

import re

from pydantic import BaseModel

from copilot.schemas import Draft

_NUMBER = re.compile(r"\d+(?:\.\d+)?")


class GuardVerdict(BaseModel):
    ok: bool
    reason: str = ""


def _canonical(number: str) -> str:
    whole, _, fraction = number.partition(".")
    whole = whole.lstrip("0") or "0"
    fraction = fraction.rstrip("0")
    return f"{whole}.{fraction}" if fraction else whole


def numbers_in(text: str) -> set[str]:
    """Every number in a text, canonical (99.0 and 99 are the same)."""
    return {_canonical(n) for n in _NUMBER.findall(text)}


def check_draft(draft: Draft, *, kb_version_used: int, kb_version_now: int) -> GuardVerdict:
    """Pass only a draft whose numbers all come from its evidence, read from current data."""
    if not draft.evidence:
        return GuardVerdict(ok=False, reason="answer cites no source")
    if kb_version_now != kb_version_used:
        return GuardVerdict(ok=False, reason="catalog changed while answering")
    sourced: set[str] = set()
    for evidence in draft.evidence:
        sourced |= numbers_in(evidence.text)
    unsourced = sorted(numbers_in(draft.text) - sourced)
    if unsourced:
        return GuardVerdict(ok=False, reason=f"numbers not in any cited source: {unsourced}")
    return GuardVerdict(ok=True)

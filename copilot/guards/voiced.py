"""The stricter guard for an LLM's wording: it may phrase the evidence, never add to it.

A template can only write what its code puts in; an LLM can write anything. So beyond the
numbers every draft is checked for, an LLM's answer must copy from the cited evidence every
code (SKU, order and tracking numbers), every product of the room it names, every Chinese
noun and every English proper name, and be in the viewer's language.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

from copilot.guards.grounding import GuardVerdict, numbers_in
from copilot.schemas import Evidence
from copilot.understand.features import detect_language

CITATION = re.compile(r"\s*\[(\d+)\]")
# Letters and digits together, or digits in dashed groups: SKUs, order ids, tracking numbers.
# ASCII edges: a code runs straight into Chinese ("运单号SF1234567890"), and \b would not see it.
_CODE = re.compile(
    r"(?<![A-Za-z0-9-])(?=[A-Za-z0-9-]*\d)(?=[A-Za-z0-9-]*[A-Za-z])[A-Za-z0-9][A-Za-z0-9-]*"
    r"[A-Za-z0-9](?![A-Za-z0-9-])"
)
# Numbers written as words: a run of Chinese numerals before a unit, or of two or more
# ("九十九元", "八折", "两件"); English number words ("ninety-nine"; "one" is too common to
# read as a number).
_CHINESE_NUMBER = re.compile(
    r"[零〇一二两三四五六七八九十百千万亿半]+(?=[元块折件个份盒袋瓶罐天号月日周年小时分钟克斤毫升])"
    r"|[零〇一二两三四五六七八九十百千万亿]{2,}"
)
_ENGLISH_NUMBER = re.compile(
    r"\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    r"fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|"
    r"eighty|ninety|hundred|thousand|million|dozen|half)\b",
    re.IGNORECASE,
)
_SENTENCES = re.compile(r"[.!?。！？:：;；\n]+")
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")
MIN_NOUN_CHARS = 2
MIN_NAME_PIECE_CHARS = 2  # a CJK piece of a product name that names it
MIN_NAME_WORD_CHARS = 4  # a Latin word of a product name that names it


def citations_in(text: str) -> list[int]:
    """The source numbers an answer cites as [n]."""
    return [int(n) for n in CITATION.findall(text)]


def without_citations(text: str) -> str:
    """The answer as the viewer reads it: the [n] markers go (the result lists its sources)."""
    return CITATION.sub("", text).strip()


def _is_code(token: str) -> bool:
    """A code has a capital or runs letters into digits ("TEA-008", "sf123"); "7-day" and
    "24-hour" are words."""
    return any(c.isupper() for c in token) or bool(re.search(r"[A-Za-z]\d|\d[A-Za-z]", token))


def _proper_names(text: str) -> set[str]:
    """Capitalised English words other than a sentence's first (and "I"): names, mostly."""
    names = set()
    for sentence in _SENTENCES.split(text):
        words = _WORD.findall(sentence)
        names |= {w for w in words[1:] if w[0].isupper() and w != "I" and not w.startswith("I'")}
    return names


SERVICE_TEXTS = [  # the words of shop service itself: what shoppers ask, what the copilot says
    Path(__file__).parents[1] / "understand" / "intents.jsonl",
    *sorted((Path(__file__).parents[2] / "prompts").glob("*.json")),
]


@lru_cache(maxsize=1)
def service_nouns() -> frozenset[str]:
    """Chinese nouns of shop service ("下单", "客服", "快递"): an answer may use them freely;
    a noun outside them and outside the sources (a gift, a product) is a fact to check."""
    words: set[str] = set()
    for path in SERVICE_TEXTS:
        text = path.read_text("utf-8")
        if path.suffix == ".jsonl":
            text = " ".join(json.loads(line)["text"] for line in text.splitlines() if line.strip())
        words |= set(_chinese_nouns(text))
    return frozenset(words)


@lru_cache(maxsize=4096)
def _chinese_nouns(text: str) -> tuple[str, ...]:
    import jieba.posseg  # loaded on first use: only the LLM path needs part-of-speech tags

    return tuple(
        pair.word
        for pair in jieba.posseg.cut(text)
        if pair.flag.startswith("n") and len(pair.word) >= MIN_NOUN_CHARS
    )


@lru_cache(maxsize=64)
def _name_pieces(names: tuple[str, ...]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """What names each product, lowercased: its whole name, and its words no other product's
    name shares (once per catalog: a room's names are the same for every answer)."""
    every = " ".join(n.lower() for n in names)
    pieces = []
    for name in names:
        own = [name.lower()]
        for word in re.findall(r"[A-Za-z]+|[\u4e00-\u9fff]+", name.lower()):
            long_enough = len(word) >= (
                MIN_NAME_PIECE_CHARS if re.match(r"[\u4e00-\u9fff]", word) else MIN_NAME_WORD_CHARS
            )
            if long_enough and every.count(word) == name.lower().count(word):
                own.append(word)  # no other name has it
        pieces.append((name, tuple(own)))
    return tuple(pieces)


def check_voiced(
    answer: str,
    *,
    evidence: list[Evidence],
    allowed: str,
    language: str,
    catalog_names: list[str],
    keeps: str = "",
    complete: bool = True,
) -> GuardVerdict:
    """Pass an LLM's answer (or, with `complete=False`, its first sentences) only if it adds no
    fact to `evidence` and, when complete, drops none of `keeps` (the grounded answer it
    rewords: a number it leaves out may be the one that mattered, "¥599" without the live
    "¥449"); `allowed` is other text its words may come from (the grounded draft, the
    viewer's question) but not its numbers and codes."""
    if not answer.strip():
        return GuardVerdict(ok=False, reason="empty answer")
    cited = citations_in(answer)
    if any(n < 1 or n > len(evidence) for n in cited):
        return GuardVerdict(ok=False, reason=f"cites a source it was not given: {cited}")
    text = without_citations(answer)
    sources = " ".join(e.text for e in evidence)
    lowered = sources.lower()
    unsourced = sorted(numbers_in(text) - numbers_in(sources))
    if unsourced:
        return GuardVerdict(ok=False, reason=f"numbers not in any cited source: {unsourced}")
    worded = {*_CHINESE_NUMBER.findall(text), *(w.lower() for w in _ENGLISH_NUMBER.findall(text))}
    unsourced_words = sorted(w for w in worded if w not in lowered)
    if unsourced_words:
        return GuardVerdict(ok=False, reason=f"number words not in any source: {unsourced_words}")
    codes = sorted({c for c in _CODE.findall(text) if _is_code(c) and c.lower() not in lowered})
    if codes:
        return GuardVerdict(ok=False, reason=f"codes not in any cited source: {codes}")
    for name, pieces in _name_pieces(tuple(catalog_names)):
        if any(p in text.lower() for p in pieces) and not any(p in lowered for p in pieces):
            return GuardVerdict(ok=False, reason=f"names a product not in the sources: {name}")
    known = f"{lowered} {allowed.lower()}"
    nouns = sorted(
        {n for n in _chinese_nouns(text) if n.lower() not in known and n not in service_nouns()}
    )
    if nouns:
        return GuardVerdict(ok=False, reason=f"words not in any source: {nouns}")
    names = sorted(n for n in _proper_names(text) if n.lower() not in known)
    if names:
        return GuardVerdict(ok=False, reason=f"names not in any source: {names}")
    dropped = sorted(numbers_in(keeps) - numbers_in(text)) if complete else []
    if dropped:
        return GuardVerdict(ok=False, reason=f"drops numbers of the grounded answer: {dropped}")
    if detect_language(text) != language:
        return GuardVerdict(ok=False, reason=f"not in the viewer's language ({language})")
    return GuardVerdict(ok=True)

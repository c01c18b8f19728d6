"""Tokenisation (jieba for Chinese) and BM25 over short documents."""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from functools import lru_cache

import jieba
import numpy as np
import numpy.typing as npt

jieba.setLogLevel(logging.WARNING)

_WORD = re.compile(r"[\w\u4e00-\u9fff]+", re.UNICODE)
_CJK = re.compile(r"[\u4e00-\u9fff]")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
_LATIN_OR_DIGIT = re.compile(r"[a-z0-9][a-z0-9.\-]*", re.IGNORECASE)

BM25_K1 = 1.2
BM25_B = 0.75


@lru_cache(maxsize=8192)
def _cut(text: str) -> tuple[str, ...]:
    return tuple(jieba.cut_for_search(text))


def tokenize(text: str) -> list[str]:
    """Words for BM25: jieba's search-mode segmentation for Chinese, lowercase words otherwise."""
    tokens: list[str] = []
    for token in _cut(text.lower()):
        token = token.strip()
        if token and _WORD.fullmatch(token):
            tokens.append(token)
    return tokens


def name_grams(text: str) -> set[str]:
    """Character bigrams of Chinese runs plus whole latin/digit words: robust to partial names."""
    grams: set[str] = set()
    lowered = text.lower()
    for run in _CJK_RUN.findall(lowered):
        if len(run) == 1:
            grams.add(run)
        grams.update(run[i : i + 2] for i in range(len(run) - 1))
    grams.update(m.group(0).strip(".-") for m in _LATIN_OR_DIGIT.finditer(lowered))
    grams.discard("")
    return grams


def name_words(text: str) -> set[str]:
    """The words of a name worth matching: tokens of 2+ characters, and latin words."""
    return {t for t in tokenize(text) if t.isascii() or len(t) >= 2}


def strip_words(text: str, name: str) -> str:
    """The text without the words of `name` (longest first), e.g. a question minus the product."""
    for word in sorted(name_words(name), key=len, reverse=True):
        text = re.sub(re.escape(word), " ", text, flags=re.IGNORECASE)
    return text


def cjk_ratio(text: str) -> float:
    """Share of letters that are CJK ideographs."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return 0.0
    return sum(1 for c in letters if _CJK.match(c)) / len(letters)


class BM25:
    """Okapi BM25 over pre-tokenised documents."""

    def __init__(self, documents: list[list[str]]) -> None:
        self.doc_freqs = [Counter(doc) for doc in documents]
        self.doc_lens = np.array([len(doc) for doc in documents], dtype=np.float32)
        self.avg_len = float(self.doc_lens.mean()) if documents else 0.0
        df: Counter[str] = Counter()
        for freqs in self.doc_freqs:
            df.update(freqs.keys())
        n = len(documents)
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}

    def scores(self, query: list[str]) -> npt.NDArray[np.float32]:
        """BM25 score of every document for the query."""
        out = np.zeros(len(self.doc_freqs), dtype=np.float32)
        if not self.doc_freqs:
            return out
        norm = BM25_K1 * (1 - BM25_B + BM25_B * self.doc_lens / max(self.avg_len, 1e-6))
        for term in set(query):
            idf = self.idf.get(term)
            if idf is None:
                continue
            tf = np.array([freqs.get(term, 0) for freqs in self.doc_freqs], dtype=np.float32)
            out += idf * tf * (BM25_K1 + 1) / (tf + norm)
        return out

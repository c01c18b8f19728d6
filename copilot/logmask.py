"""Logs never show a phone or tracking number whole: a filter masks them by their shape.

The patterns describe shapes, not known values: a Chinese mobile (1[3-9]x xxxx xxxx, with an
optional +86), an international number (+CC ...), a number with a bracketed area code, a
Chinese landline (0xx-xxxxxxxx) or a North American 3-3-4 number; a courier number (UPS 1Z...,
letters then 8-20 digits as SF/YT/JD/ZTO use, UPU S10 "EA123456789CN") and any bare run of
10-20 digits. Each match keeps its last KEEP_LAST letters or digits and its separators, so an
engineer can still tell two parcels apart. Shapes cannot tell a tracking number from an order
id or a millisecond timestamp: those are masked too, on purpose (better one masked id too
many than one number leaked).

Tokens passed as `?token=` (media and WebSocket URLs) are hidden whole.

Boundaries are ASCII letters and digits only, so "电话13812345678谢谢" still matches, and
URL-encoded separators (%20, %2B, '+') are understood, so access-log query strings are masked.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from typing import Any

KEEP_LAST = 4  # letters or digits left readable at the end of a masked number
MASK_CHAR = "*"
UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")

# Not inside a longer word or number; a URL escape before it ("%E8%AF%9D138...") is a boundary.
_NOT_AFTER = r"(?:(?<![0-9A-Za-z])|(?<=%[0-9A-Fa-f]{2}))"
_NOT_BEFORE = r"(?![0-9A-Za-z])"
_SEP = r"(?:[ \-.+]|%20)"  # one separator between digit groups ('+' is a space in a query)
_PLUS = r"(?:\+|%2[Bb])"  # an international prefix, plain or URL-encoded
_ENCODED = re.compile(r"(%2[0Bb])")  # URL escapes inside a match: kept, never masked
_INTERNATIONAL_DIGITS = (7, 15)  # E.164 allows at most 15 digits; fewer than 7 is no number


def _bounded(body: str) -> re.Pattern[str]:
    return re.compile(_NOT_AFTER + body + _NOT_BEFORE)


# Applied in order; a masked number no longer matches anything (its digits are gone).
_PATTERNS: tuple[re.Pattern[str], ...] = (
    # UPS: 1Z, 6 shipper characters, 2 service digits, 8 package digits.
    _bounded(r"1[Zz][0-9A-Za-z]{16}"),
    # Chinese mobile: optional +86 / 0086, then 1[3-9]x xxxx xxxx in any grouping.
    _bounded(rf"(?:(?:{_PLUS}|00)?86{_SEP}?)?1[3-9]\d{_SEP}?\d{{4}}{_SEP}?\d{{4}}"),
    # A bracketed area code: (021) 6123 4567, (415) 555-0132.
    _bounded(r"\(\d{2,4}\)[ \-]?\d{3,4}[ \-]?\d{4}"),
    # Chinese landline: 010-12345678, 0755 8888 8888.
    _bounded(r"0\d{2,3}[ \-]\d{3,4}[ \-]?\d{4}"),
    # North American 3-3-4: 415-555-0132, 400.820.8820.
    _bounded(r"\d{3}[\-.]\d{3}[\-.]\d{4}"),
    # Courier numbers: 1-4 letters, 8-20 digits, and the UPU S10 country suffix (EA...CN).
    _bounded(r"[A-Za-z]{1,4}\d{8,20}(?:[A-Za-z]{2})?"),
    # A bare run of 10-20 digits: domestic tracking numbers, mobiles without context; not the
    # fraction of a float ("0.30000000000000004").
    _bounded(r"(?<!\d\.)\d{10,20}"),
)
# A bearer token in a query string (?token=... on media and WebSockets): never logged.
_QUERY_TOKEN = re.compile(r"([?&]token=)[^&\s\"']+")
# International: +CC then digit groups, an area code maybe bracketed; checked for its length.
_INTERNATIONAL = _bounded(rf"{_PLUS}[1-9]\d{{0,3}}(?:{_SEP}?\(?\d{{1,5}}\)?){{1,6}}")


def _hide(text: str) -> str:
    """Every letter and digit but the last KEEP_LAST replaced; separators and escapes kept."""
    parts = _ENCODED.split(text)  # odd items are the escapes
    total = sum(ch.isalnum() for part in parts[::2] for ch in part)
    hide = total - KEEP_LAST
    out: list[str] = []
    for i, part in enumerate(parts):
        if i % 2:
            out.append(part)
            continue
        for ch in part:
            if ch.isalnum() and hide > 0:
                out.append(MASK_CHAR)
                hide -= 1
            else:
                out.append(ch)
    return "".join(out)


def _hide_international(match: re.Match[str]) -> str:
    text = match.group(0)
    digits = sum(ch.isdigit() for part in _ENCODED.split(text)[::2] for ch in part)
    low, high = _INTERNATIONAL_DIGITS
    return _hide(text) if low <= digits <= high else text


def mask(text: str) -> str:
    """The text with every phone and tracking number masked but for its last characters."""
    text = _QUERY_TOKEN.sub(r"\1" + MASK_CHAR * 3, text)
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: _hide(m.group(0)), text)
    return _INTERNATIONAL.sub(_hide_international, text)


def _mask_value(value: Any) -> Any:
    """A log argument with its numbers masked; left as it is when there is nothing to mask."""
    if isinstance(value, str):
        return mask(value)
    if value is None or isinstance(value, bool):
        return value
    rendered = str(value)
    masked = mask(rendered)
    # Numbers and objects keep their type (so "%d" and "%r" still work) unless they leak.
    return value if masked == rendered else masked


class MaskingFilter(logging.Filter):
    """Masks phone and tracking numbers in a record's message, arguments and traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place; never drops it."""
        record.msg = _mask_value(record.msg)
        args = record.args
        if isinstance(args, tuple):
            # Kept a tuple: uvicorn's AccessFormatter unpacks the access-log arguments.
            record.args = tuple(_mask_value(a) for a in args)
        elif isinstance(args, Mapping):
            record.args = {k: _mask_value(v) for k, v in args.items()}
        if record.args:
            try:
                record.getMessage()
            except (TypeError, ValueError):  # a masked number no longer fits "%d": render now
                record.msg, record.args = mask(_unmasked_message(record, args)), None
        if record.exc_info and not record.exc_text:
            record.exc_text = mask(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = mask(record.exc_text)
        if record.stack_info:
            record.stack_info = mask(record.stack_info)
        return True


def _unmasked_message(record: logging.LogRecord, args: Any) -> str:
    try:
        return str(str(record.msg) % args)
    except (TypeError, ValueError):
        return f"{record.msg} {args!r}"


def _attach(filterers: Iterable[logging.Filterer], masking: MaskingFilter) -> None:
    for filterer in filterers:
        if not any(isinstance(f, MaskingFilter) for f in filterer.filters):
            filterer.addFilter(masking)


def install_log_masking(extra_loggers: Iterable[str] = ()) -> MaskingFilter:
    """Mask numbers on the root logger's handlers and on uvicorn's loggers and handlers.

    A filter on a logger sees only records logged on that logger, a filter on a handler sees
    every record it emits: uvicorn's loggers get both (access records are masked before they
    reach any handler, added later or not), the root gets its handlers. Call it after logging
    is configured (in the app's lifespan, uvicorn's dictConfig has run); calling it again
    attaches nothing twice.
    """
    masking = MaskingFilter()
    root = logging.getLogger()
    _attach(root.handlers, masking)
    for name in (*UVICORN_LOGGERS, *extra_loggers):
        logger = logging.getLogger(name)
        _attach([logger, *logger.handlers], masking)
    return masking

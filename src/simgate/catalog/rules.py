"""Which SMS belongs to which service, and the code inside it. Pure functions."""

from __future__ import annotations

import re
from functools import lru_cache

# "123-456" and "123 456" are one code; G-123456 is Google's form.
_SPLIT_CODE = re.compile(r"(?<!\d)(\d{3})[- ](\d{3})(?!\d)")
_PLAIN_CODE = re.compile(r"(?<![\d.,])(\d{4,8})(?![\d.,]?\d)")
_SHORT_CODE = re.compile(r"(?<![\d.,])(\d{3})(?![\d.,]?\d)")


def extract_code(text: str) -> str | None:
    """The verification code in an SMS text, or None when it has none."""
    split = _SPLIT_CODE.search(text)
    if split:
        return split.group(1) + split.group(2)
    plain = _PLAIN_CODE.search(text)
    if plain:
        return plain.group(1)
    short = _SHORT_CODE.search(text)
    return short.group(1) if short else None


@lru_cache(maxsize=256)
def _compile(patterns: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, re.IGNORECASE) for p in patterns.splitlines() if p.strip())


def sms_matches(
    *,
    takes_all: bool,
    senders: str,
    text_patterns: str,
    sender_filter: str | None,
    phone_from: str,
    text: str,
) -> bool:
    """Does an SMS from `phone_from` with `text` belong to this service (or sender filter)?"""
    sender = phone_from.strip().casefold()
    if sender_filter:
        wanted = sender_filter.casefold()
        return sender == wanted or wanted in text.casefold()
    if takes_all:
        return True
    names = {s.strip().casefold() for s in senders.splitlines() if s.strip()}
    if sender in names:
        return True
    return any(p.search(text) for p in _compile(text_patterns))

"""One reader for integers that arrive from outside (query strings, forms, JSON bodies).

Python's int() accepts far more than any client means by a number: '²', Arabic-Indic '١',
fullwidth '１', '1_000', surrounding whitespace, and values no database column holds, which
then fail deep inside the driver. Every dialect reads its integers here, so a number is
ASCII digits with an optional sign and lies within the column it is going to meet.
"""

from __future__ import annotations

from typing import Any

INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)
UINT32 = (0, 2**31 - 1)  # non-negative and fits a 32-bit signed column
UINT64 = (0, 2**63 - 1)  # non-negative and fits a 64-bit signed column

# 2**63 has 19 digits; a longer string is refused before int() spends time on it.
_MAX_DIGITS = 20


class NotAnInteger(ValueError):
    """The value is not an integer written in ASCII digits, or lies outside its range."""


class OutOfRange(NotAnInteger):
    """A well-written integer that no column of the asked range holds."""


def read_int(value: Any, bounds: tuple[int, int] = INT64) -> int:
    """`value` (a JSON int or a string of ASCII digits, '+'/'-' allowed) within `bounds`."""
    if isinstance(value, bool):
        raise NotAnInteger("a boolean is not an integer")
    if isinstance(value, str):
        value = _from_text(value)
    if not isinstance(value, int):
        raise NotAnInteger("not an integer")
    low, high = bounds
    if not low <= value <= high:
        raise OutOfRange("out of range")
    return value


def _from_text(text: str) -> int:
    text = text.strip()
    digits = text[1:] if text[:1] in ("+", "-") else text
    if not (digits.isascii() and digits.isdigit()):
        raise NotAnInteger("not ASCII digits")
    if len(digits) > _MAX_DIGITS:
        raise OutOfRange("too many digits")
    return -int(digits) if text.startswith("-") else int(digits)

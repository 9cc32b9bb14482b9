"""Checks on values that come from people (CLI arguments, forms): each failure is an
InvalidInput whose message is one short line, so every entry point can show it as is."""

from __future__ import annotations

from urllib.parse import urlsplit

from simgate.core.errors import InvalidInput
from simgate.core.money import MAX_AMOUNT

# Columns declared INTEGER are 32-bit on PostgreSQL; SQLite would store more and fail later.
MAX_INT32 = 2**31 - 1
MAX_ID = 2**63 - 1  # BIGINT primary keys
MAX_PORT = 65535


def shown(value: object, limit: int = 40) -> str:
    """`value` quoted for a message, cut short so one bad argument cannot flood the line."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def text(value: str, what: str, *, max_length: int, required: bool = True) -> str:
    """A name, key or note: not blank when required, at most `max_length` characters."""
    if required and not value.strip():
        raise InvalidInput(f"{what} must not be empty")
    if len(value) > max_length:
        raise InvalidInput(f"{what} is {len(value)} characters long; at most {max_length}")
    if any(ch < " " for ch in value):
        raise InvalidInput(f"{what} must not contain control characters")
    return value


def amount(value: int, what: str) -> int:
    """Money in minor units: not negative, not beyond MAX_AMOUNT."""
    if not 0 <= value <= MAX_AMOUNT:
        raise InvalidInput(f"{what} must be between 0 and {MAX_AMOUNT} minor units")
    return value


def integer(value: int, what: str, *, minimum: int = 0, maximum: int = MAX_INT32) -> int:
    """A count, limit or priority that fits its column."""
    if not minimum <= value <= maximum:
        raise InvalidInput(f"{what} must be between {minimum} and {maximum}")
    return value


def row_id(value: int, what: str) -> int:
    """An id typed by a person: a number no row can have is refused before the query."""
    return integer(value, what, minimum=1, maximum=MAX_ID)


def port(value: int) -> int:
    """A TCP port to listen on (0 lets the system pick one)."""
    return integer(value, "port", maximum=MAX_PORT)


def http_url(value: str, what: str = "URL", *, max_length: int = 512) -> str:
    """An absolute http(s) URL with a host."""
    text(value, what, max_length=max_length)
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError as exc:
        raise InvalidInput(f"{what} {shown(value)} is not a valid URL") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput(f"{what} {shown(value)} must be an http:// or https:// URL with a host")
    return value

"""The one clock: every expiry, signature window and timestamp asks it for the time."""

from __future__ import annotations

import datetime as dt
from typing import Protocol


def utcnow() -> dt.datetime:
    """Naive UTC: both SQLite and PostgreSQL store it the same way."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Clock(Protocol):
    def now(self) -> dt.datetime: ...


class SystemClock:
    def now(self) -> dt.datetime:
        return utcnow()


class FrozenClock:
    """A clock that moves only when told to (tests, simulations)."""

    def __init__(self, start: dt.datetime | None = None) -> None:
        self._now = start or utcnow()

    def now(self) -> dt.datetime:
        return self._now

    def set(self, moment: dt.datetime) -> None:
        self._now = moment

    def advance(self, seconds: float) -> None:
        self._now += dt.timedelta(seconds=seconds)

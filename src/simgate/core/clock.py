"""The one clock: every expiry, signature window and timestamp asks it for the time."""

from __future__ import annotations

import datetime as dt
import time
from typing import Protocol


def utcnow() -> dt.datetime:
    """Naive UTC: both SQLite and PostgreSQL store it the same way."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Clock(Protocol):
    def now(self) -> dt.datetime: ...

    def monotonic(self) -> float:
        """Seconds from an arbitrary start that never go back: for expiring what is in memory
        (a wall clock set back would keep it alive)."""
        ...


class SystemClock:
    def now(self) -> dt.datetime:
        return utcnow()

    def monotonic(self) -> float:
        return time.monotonic()


class FrozenClock:
    """A clock that moves only when told to (tests, simulations)."""

    def __init__(self, start: dt.datetime | None = None) -> None:
        self._now = start or utcnow()
        self._monotonic = 0.0

    def now(self) -> dt.datetime:
        return self._now

    def monotonic(self) -> float:
        return self._monotonic

    def set(self, moment: dt.datetime) -> None:
        # Like a wall clock being set: the monotonic reading moves forward only.
        self._monotonic += max(0.0, (moment - self._now).total_seconds())
        self._now = moment

    def advance(self, seconds: float) -> None:
        self._now += dt.timedelta(seconds=seconds)
        self._monotonic += max(0.0, seconds)

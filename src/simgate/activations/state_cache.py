"""A per-process memory of what getState showed an account, so polling does not cost a
database round trip each time.

Exact across processes: every transaction that changes an account's activations marks the
account (`core.db.mark_account_changed`), and every process drops its entries when the
commit is announced (`core.changes`). A miss queries once however many requests wait for it
(`core.memo`). `ttl` only bounds a change made behind simgate's back.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from typing import TypeVar

from simgate.core.changes import account_topic
from simgate.core.clock import Clock
from simgate.core.db import Database
from simgate.core.memo import Memo

T = TypeVar("T")


class StateCache:
    def __init__(self, db: Database, ttl: float, clock: Clock | None = None) -> None:
        self._memo = Memo(db.changes, ttl, clock)

    @property
    def ttl(self) -> float:
        return self._memo.ttl

    @ttl.setter
    def ttl(self, seconds: float) -> None:
        self._memo.ttl = seconds

    async def fetch(self, account_id: int, key: Hashable, load: Callable[[], Awaitable[T]]) -> T:
        """What `load()` returns for this account, from memory while nothing changed it."""
        return await self._memo.get(account_topic(account_id), key, load)

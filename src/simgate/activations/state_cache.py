"""A per-process memory of what getState showed an account, so polling does not cost a
database round trip each time.

Exact for changes committed in this process: every transaction that changes an account's
activations marks the account (`core.db.mark_account_changed`), and the commit drops its
entries. Changes committed by another process (a separate `simgate worker`, another replica)
are seen within `ttl` seconds. A generation counter per account keeps a query that raced a
commit from storing what it read before that commit.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from simgate.core.clock import Clock, SystemClock

MAX_ACCOUNTS = 20_000


class StateCache:
    def __init__(self, ttl: float, clock: Clock | None = None) -> None:
        self.ttl = ttl
        self._clock: Clock = clock or SystemClock()
        self._entries: dict[int, dict[Hashable, tuple[float, Any]]] = {}
        self._generations: dict[int, int] = {}

    def generation(self, account_id: int) -> int:
        return self._generations.get(account_id, 0)

    def get(self, account_id: int, key: Hashable) -> Any | None:
        if self.ttl <= 0:
            return None
        entry = self._entries.get(account_id, {}).get(key)
        if entry is None or entry[0] < self._clock.monotonic():
            return None
        return entry[1]

    def put(self, account_id: int, key: Hashable, value: Any, generation: int) -> None:
        """Store `value`, read when the account was at `generation` (ignored if stale)."""
        if self.ttl <= 0 or generation != self.generation(account_id):
            return
        if len(self._entries) >= MAX_ACCOUNTS and account_id not in self._entries:
            self._entries.clear()
        self._entries.setdefault(account_id, {})[key] = (self._clock.monotonic() + self.ttl, value)

    def invalidate(self, account_ids: set[int]) -> None:
        for account_id in account_ids:
            self._generations[account_id] = self.generation(account_id) + 1
            self._entries.pop(account_id, None)

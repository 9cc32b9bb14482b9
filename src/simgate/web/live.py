"""Wakes the cabinet's live streams when an account's rentals change.

Every transaction that changes an account's activations marks the account, and the database
tells its commit listeners which accounts a commit changed (the same signal that keeps the
getState cache exact). A stream waits on its account's event, so an SMS shows as soon as its
PUSH_SMS commits, with no polling. Changes committed by another process are picked up by the
stream's periodic refresh.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager


class AccountSignals:
    def __init__(self) -> None:
        self._waiting: dict[int, set[asyncio.Event]] = {}

    def notify(self, account_ids: set[int]) -> None:
        """Commit listener: wake every stream of these accounts."""
        for account_id in account_ids:
            for event in self._waiting.get(account_id, ()):
                event.set()

    @contextmanager
    def subscribe(self, account_id: int) -> Iterator[asyncio.Event]:
        """An event set on each commit that changes the account (clear it after waking)."""
        event = asyncio.Event()
        self._waiting.setdefault(account_id, set()).add(event)
        try:
            yield event
        finally:
            waiting = self._waiting.get(account_id)
            if waiting is not None:
                waiting.discard(event)
                if not waiting:
                    del self._waiting[account_id]

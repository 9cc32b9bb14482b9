"""Wakes the cabinet's live streams when an account's rentals change.

Every transaction that changes an account's activations or balance marks the account, and
the change feed (core.changes) tells every process which accounts a commit changed, whichever
process committed it (the same signal that keeps the getState cache exact). A stream waits on
its account's event, so an SMS shows as soon as its PUSH_SMS commits, with no polling. When
the feed cannot say which accounts changed (SQLite, or a lost PostgreSQL connection), every
stream wakes and reads again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager

from simgate.core.changes import Changes


class AccountSignals:
    def __init__(self) -> None:
        self._waiting: dict[int, set[asyncio.Event]] = {}

    def notify(self, changes: Changes) -> None:
        """Change-feed listener: wake every stream of the accounts changed."""
        accounts = self._waiting.keys() if changes.everything else changes.accounts()
        for account_id in accounts:
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

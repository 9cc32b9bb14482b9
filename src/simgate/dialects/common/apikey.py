"""API-key authentication shared by the buyer dialects, and its per-process cache.

The cache is a short-lived memory of which account an API key belongs to.

Every buyer request starts with this lookup; at hundreds of requests per second a round trip
saved here is most of a getState. A remembered key costs no SQL: the account it names is
checked (blocked, API access) from memory. A commit that changes any account or key, in any
process, empties it (`forget`, a change-feed listener; this process's own commits included,
so a key revoked in the cabinet is refused by the next request); `ttl` bounds the rest (a
change made by hand in the database, or while the feed is not listening).

A key the memory lacks is looked up once however many requests ask for it meanwhile (single
flight): when a polling client's key ages out, its 32 connections in flight would otherwise
send 32 identical SELECTs, every `ttl` seconds.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from simgate.accounts import service as accounts
from simgate.core.changes import ACCOUNTS, Changes
from simgate.core.clock import Clock, SystemClock
from simgate.core.db import Database
from simgate.core.errors import DomainError
from simgate.core.ids import hash_api_key
from simgate.models import Account

MAX_ENTRIES = 10_000


class KeyCache:
    def __init__(self, ttl: float, clock: Clock | None = None) -> None:
        self.ttl = ttl
        self._clock: Clock = clock or SystemClock()
        self._entries: dict[str, tuple[float, Account]] = {}
        # Lookups in flight by key hash. A change to accounts drops them: a lookup that may
        # have read before the commit is neither remembered nor joined by a later request.
        self._flights: dict[str, asyncio.Future[Account]] = {}

    def get(self, api_key: str) -> Account | None:
        if self.ttl <= 0:
            return None
        entry = self._entries.get(hash_api_key(api_key))
        if entry is None or entry[0] < self._clock.monotonic():
            return None
        return entry[1]

    def forget(self, changes: Changes) -> None:
        """Change-feed listener: an account or key changed somewhere, so remember none."""
        if changes.touches(ACCOUNTS):
            self._entries.clear()
            self._flights.clear()

    async def look_up(self, api_key: str, load: Callable[[], Awaitable[Account]]) -> Account:
        """`load()`'s account for `api_key`, remembered; one load for every concurrent ask."""
        if self.ttl <= 0:
            return await load()
        digest = hash_api_key(api_key)
        flight = self._flights.get(digest)
        if flight is None:
            flight = asyncio.ensure_future(load())
            self._flights[digest] = flight
            flight.add_done_callback(lambda done: self._landed(api_key, digest, done))
        # Shielded: a caller whose client went away does not cancel the others' lookup.
        return await asyncio.shield(flight)

    def _landed(self, api_key: str, digest: str, flight: asyncio.Future[Account]) -> None:
        # (Asking for the exception also keeps asyncio from reporting it unread.)
        failed = flight.cancelled() or flight.exception() is not None
        if self._flights.get(digest) is not flight:
            return  # dropped by a change meanwhile: what it read may be stale
        del self._flights[digest]
        if not failed:
            self.put(api_key, flight.result())

    def put(self, api_key: str, account: Account) -> None:
        if self.ttl <= 0:
            return
        if len(self._entries) >= MAX_ENTRIES:
            self._entries.clear()
        self._entries[hash_api_key(api_key)] = (self._clock.monotonic() + self.ttl, account)


class MissingKey(DomainError):
    """The request carries no API key at all (each dialect has its word for it)."""

    code = "NO_KEY"


async def authenticate(db: Database, cache: KeyCache, key: str | None) -> Account:
    """The account behind `key`, from the cache when it is fresh; refusals are DomainErrors."""
    if not key:
        raise MissingKey()
    # Hear commits made elsewhere first (SQLite: any commit since the last look), so a block or
    # a revoked key is seen by the very next request, and the SQL each request sends does not
    # hang on when the background watcher last looked.
    db.changes.catch_up()
    cached = cache.get(key)
    if cached is not None:
        accounts.check_access(cached)
        return cached
    return await cache.look_up(key, lambda: accounts.authenticate_key(db, key))

"""How a process hears the commits of the others: each database's own signal.

PostgreSQL: LISTEN on one dedicated connection per process; every committing transaction
that changed a topic ran `pg_notify` (see `core.db`), which PostgreSQL delivers on commit.
When the connection drops (a database restart), notifications sent meanwhile are lost: the
feed is not live until it listens again, and then everything is dropped.

SQLite: `PRAGMA data_version` on a dedicated connection changes when any other connection
commits. Looking costs a few microseconds (no I/O: it reads the WAL index in shared memory),
so the feed looks before every cached read (exact) and every few milliseconds in the
background (to wake the cabinet's live pages). SQLite cannot say what changed: everything is
dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy.engine import make_url

from simgate.core.changes import EVERYTHING, ChangeFeed, decode

log = logging.getLogger(__name__)

CHANNEL = "simgate_changes"
SQLITE_POLL_SECONDS = 0.004
RECONNECT_FIRST_SECONDS = 0.05
RECONNECT_MAX_SECONDS = 2.0


class PostgresListener:
    def __init__(self, feed: ChangeFeed, url: str) -> None:
        self.live = False
        self._feed = feed
        self._dsn = make_url(url).set(drivername="postgresql").render_as_string(False)
        self._connection: Any = None
        self._reconnecting: asyncio.Task[None] | None = None
        self._stopped = False
        # Cleared, it holds reconnection back (tests commit while nobody listens).
        self.may_reconnect = asyncio.Event()
        self.may_reconnect.set()

    async def start(self) -> None:
        await self._connect()

    async def _connect(self) -> None:
        connection = await asyncpg.connect(self._dsn, timeout=10)
        connection.add_termination_listener(self._lost)
        await connection.add_listener(CHANNEL, self._heard)
        self._connection = connection
        # Whatever was committed while nobody listened is unknown: forget it all.
        self._feed.publish(EVERYTHING)
        self.live = True

    def _heard(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        origin, changes = decode(payload)
        if origin != self._feed.origin:  # this process told its own listeners at commit
            self._feed.publish(changes)

    def _lost(self, _conn: Any) -> None:
        self.live = False
        self._connection = None
        self._feed.publish(EVERYTHING)
        if not self._stopped and self._reconnecting is None:
            log.warning("change feed: lost the database connection; reconnecting")
            self._reconnecting = asyncio.get_running_loop().create_task(self._reconnect())

    async def _reconnect(self) -> None:
        delay = RECONNECT_FIRST_SECONDS
        try:
            while not self._stopped:
                await asyncio.sleep(delay)
                await self.may_reconnect.wait()
                try:
                    await self._connect()
                    log.info("change feed: listening again")
                    return
                except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
                    log.debug("change feed: reconnect failed: %s", exc)
                    delay = min(delay * 2, RECONNECT_MAX_SECONDS)
        finally:
            self._reconnecting = None

    def catch_up(self) -> None:
        """Notifications arrive on their own; nothing to look at."""

    async def stop(self) -> None:
        self._stopped = True
        self.live = False
        if self._reconnecting is not None:
            self._reconnecting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reconnecting
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.remove_termination_listener(self._lost)
            with contextlib.suppress(Exception):
                await connection.close(timeout=5)


class SqliteWatcher:
    def __init__(self, feed: ChangeFeed, path: str) -> None:
        self.live = False
        self._feed = feed
        self._path = path
        self._connection: sqlite3.Connection | None = None
        self._version: int | None = None
        self._polling: asyncio.Task[None] | None = None

    async def start(self) -> None:
        # Autocommit and no busy wait: the look never blocks the event loop; a busy database
        # (a checkpoint restarting the WAL) counts as changed.
        self._connection = sqlite3.connect(
            self._path, isolation_level=None, check_same_thread=False, timeout=0
        )
        self._version = self._read()
        self.live = True
        self._polling = asyncio.get_running_loop().create_task(self._poll())

    def _read(self) -> int | None:
        assert self._connection is not None
        try:
            row = self._connection.execute("PRAGMA data_version").fetchone()
        except sqlite3.Error:
            return None
        return int(row[0])

    def catch_up(self) -> None:
        if self._connection is None:
            return
        version = self._read()
        if version is None or version != self._version:
            self._version = version
            self._feed.publish(EVERYTHING)

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(SQLITE_POLL_SECONDS)
            self.catch_up()

    async def stop(self) -> None:
        self.live = False
        if self._polling is not None:
            self._polling.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._polling
            self._polling = None
        if self._connection is not None:
            self._connection.close()
            self._connection = None


class Always:
    """An in-memory SQLite database: no other process can change it."""

    live = True

    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        pass

    def catch_up(self) -> None:
        pass


def source_for(feed: ChangeFeed, url: str) -> PostgresListener | SqliteWatcher | Always:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return PostgresListener(feed, url)
    if not parsed.database or parsed.database == ":memory:":
        return Always()
    return SqliteWatcher(feed, parsed.database)

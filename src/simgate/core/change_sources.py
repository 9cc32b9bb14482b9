"""How a process hears the commits of the others: each database's own signal.

PostgreSQL: LISTEN on one dedicated connection per process; every committing transaction
that changed a topic ran `pg_notify` (see `core.db`), which PostgreSQL delivers on commit.
When the connection drops (a database restart), notifications sent meanwhile are lost: the
feed is not live until it listens again, and then everything is dropped.

SQLite: `PRAGMA data_version` on a dedicated connection changes when any other connection
commits. Looking costs a few microseconds (no I/O: it reads the WAL index in shared memory),
so the feed looks before every cached read (exact) and every few milliseconds in the
background (to wake the cabinet's live pages). `data_version` only says that something was
committed; what, each committing transaction wrote itself: its topics' rows in
`change_topics` carry the commit's number (one more than the highest so far: SQLite has one
writer at a time, so the numbers follow the commit order) and its origin. When the version
moved, one indexed SELECT reads the rows numbered past the last one seen, and the process
forgets those topics and nothing else. Rows a process bumped itself are skipped: it told
its own listeners as it committed, and a row names only its latest writer, whose commit came
after every earlier one, so skipping it hides nothing from an earlier commit.
PostgreSQL does not use that table: every rental would queue for its hot rows' locks.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sqlite3
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from simgate.core.changes import EVERYTHING, ChangeFeed, Changes, decode

log = logging.getLogger(__name__)

CHANNEL = "simgate_changes"
SQLITE_POLL_SECONDS = 0.004
RECONNECT_FIRST_SECONDS = 0.05
RECONNECT_MAX_SECONDS = 2.0

# One statement however many topics (a JSON list). The uncorrelated subquery is evaluated
# once, so every topic of a commit gets the same number.
_BUMP_TOPICS = text(
    "INSERT INTO change_topics (topic, seq, origin) "
    "SELECT value, (SELECT coalesce(max(seq), 0) + 1 FROM change_topics), :origin "
    "FROM json_each(:topics) WHERE true "
    "ON CONFLICT (topic) DO UPDATE SET seq = excluded.seq, origin = excluded.origin"
)
_LAST_SEQ = "SELECT coalesce(max(seq), 0) FROM change_topics"
_TOPICS_SINCE = "SELECT topic, seq, origin FROM change_topics WHERE seq > ?"


async def record_sqlite_topics(session: AsyncSession, origin: str, topics: set[str]) -> None:
    """Write, in the committing transaction, that it changes `topics` (SQLite's counterpart
    of pg_notify): the other processes read it when `data_version` moves."""
    await session.execute(_BUMP_TOPICS, {"origin": origin, "topics": json.dumps(sorted(topics))})


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
        self._seen = 0  # the highest commit number in change_topics read so far
        self._polling: asyncio.Task[None] | None = None

    async def start(self) -> None:
        # Autocommit and no busy wait: the look never blocks the event loop; a busy database
        # (a checkpoint restarting the WAL) counts as changed.
        self._connection = sqlite3.connect(
            self._path, isolation_level=None, check_same_thread=False, timeout=0
        )
        # The last number before the version: a commit between the two looks is read again
        # at the next move, never skipped.
        try:
            self._seen = int(self._connection.execute(_LAST_SEQ).fetchone()[0])
        except sqlite3.Error:
            log.warning("change feed: change_topics unreadable; every commit drops everything")
        self._version = self._read()
        # Whatever was kept before this process listened is unknown: forget it all.
        self._feed.publish(EVERYTHING)
        self.live = True
        self._polling = asyncio.get_running_loop().create_task(self._poll())

    def _read(self) -> int | None:
        assert self._connection is not None
        try:
            row = self._connection.execute("PRAGMA data_version").fetchone()
        except sqlite3.Error:
            return None
        return int(row[0])

    def _changed_since_seen(self) -> Changes:
        """The topics other processes' commits bumped since the last look (everything when
        the table cannot be read)."""
        assert self._connection is not None
        try:
            rows = self._connection.execute(_TOPICS_SINCE, (self._seen,)).fetchall()
        except sqlite3.Error:
            return EVERYTHING
        origin = self._feed.origin
        topics = frozenset(topic for topic, _seq, by in rows if by != origin)
        self._seen = max((int(seq) for _topic, seq, _by in rows), default=self._seen)
        return Changes(topics)

    def catch_up(self) -> None:
        if self._connection is None:
            return
        version = self._read()
        if version is not None and version == self._version:
            return
        self._version = version
        changes = EVERYTHING if version is None else self._changed_since_seen()
        if changes.everything or changes.topics:
            self._feed.publish(changes)

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

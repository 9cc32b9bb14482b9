"""The agent's own SQLite file, driven by stdlib sqlite3 on one dedicated worker thread.

Why one thread and not an async engine: every statement of the agent then runs strictly one
after another, so allocating a SIM is a plain read-then-insert inside one transaction with no
other writer able to interleave — serialised allocation for free — and each call costs tens of
microseconds. WAL mode lets `simgate agent status` read the file while the agent runs.
"""

from __future__ import annotations

import asyncio
import calendar
import datetime as dt
import fcntl
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import IO, TypeVar

from simgate.agent.schema import SCHEMA, SEEDED_TABLES

T = TypeVar("T")

_TS_FORMAT = "%Y-%m-%d %H:%M:%S.%f"


def ts(value: dt.datetime) -> str:
    """A fixed-width timestamp, so that text comparison in SQL is time comparison."""
    return value.strftime(_TS_FORMAT)


def parse_ts(value: str) -> dt.datetime:
    """The inverse of ts()."""
    return dt.datetime.strptime(value, _TS_FORMAT)  # noqa: DTZ007 - naive UTC by convention


class AgentLockedError(RuntimeError):
    """Another agent process already owns this data folder."""


class Database:
    """One SQLite connection owned by one thread; `run` executes a function in a transaction."""

    def __init__(self, path: Path, synchronous: str = "FULL") -> None:
        self.path = path
        self._synchronous = synchronous
        self._executor: ThreadPoolExecutor | None = None
        self._conn: sqlite3.Connection | None = None
        self._lock_file: IO[bytes] | None = None

    async def open(self, now: dt.datetime) -> None:
        """Take the folder lock, connect and create the schema."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._take_lock()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="agent-db")
        await self._submit(lambda: self._connect(now))

    async def close(self) -> None:
        """Close the connection and release the folder lock."""
        if self._executor is not None:
            await self._submit(self._disconnect)
            self._executor.shutdown(wait=True)
            self._executor = None
        if self._lock_file is not None:
            self._lock_file.close()
            self._lock_file = None

    async def run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run fn(conn) on the database thread inside one IMMEDIATE transaction."""
        return await self._submit(lambda: self._transaction(fn))

    def _take_lock(self) -> None:
        lock = (self.path.parent / "agent.lock").open("wb")
        try:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            lock.close()
            raise AgentLockedError(f"another agent is running on {self.path.parent}") from exc
        self._lock_file = lock

    async def _submit(self, fn: Callable[[], T]) -> T:
        if self._executor is None:
            raise RuntimeError("database is not open")
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn)

    def _transaction(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        conn = self._conn
        if conn is None:
            raise RuntimeError("database is not open")
        conn.execute("BEGIN IMMEDIATE")
        try:
            result = fn(conn)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        return result

    def _connect(self, now: dt.datetime) -> None:
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(f"PRAGMA synchronous={_checked_synchronous(self._synchronous)}")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.executescript(SCHEMA)
        self._conn = conn
        self._transaction(lambda c: _seed_sequences(c, now))

    def _disconnect(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def _checked_synchronous(value: str) -> str:
    upper = value.upper()
    if upper not in {"OFF", "NORMAL", "FULL", "EXTRA"}:
        raise ValueError(f"bad sqlite_synchronous: {value}")
    return upper


def _seed_sequences(conn: sqlite3.Connection, now: dt.datetime) -> None:
    # Ids start from the creation time in milliseconds: if an operator wipes the data folder,
    # new smsIds and activationIds still do not collide with those a hub already stored.
    base = calendar.timegm(now.utctimetuple()) * 1000
    for table in SEEDED_TABLES:
        row = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = ?", (table,)).fetchone()
        if row is None:
            conn.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", (table, base))

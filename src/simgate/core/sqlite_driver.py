"""SQLite under SQLAlchemy's async engine with one thread hop per statement.

aiosqlite runs each sqlite3 call on the connection's own thread and wakes the event loop for
its answer. SQLAlchemy's aiosqlite adapter sends a statement as four such calls — open a
cursor, execute, fetch the rows, close the cursor — and each hand-over between the threads
costs more CPU than the statement itself. Here the cursor does all four in one call on that
thread and keeps what it returns (rows, description, rowcount, lastrowid), so the sync-side
cursor SQLAlchemy reads from needs no further hop. The engine is still SQLAlchemy's
`sqlite+aiosqlite` dialect: `dbapi()` is handed to it as `module=`, its documented way to
supply the DBAPI.

Exact pins (pyproject.toml): this subclasses SQLAlchemy's aiosqlite connection adapter
(`sqlalchemy.dialects.sqlite.aiosqlite`, not a documented API) and runs its work with
aiosqlite's `Connection._execute`, a private method, on the sqlite3 connection it keeps in
`_conn` / `_connection` (SQLAlchemy's own adapter already reaches into aiosqlite's `_tx`,
`_conn` and `_connection` the same way). `tests/unit/test_sqlite_driver.py` fails if
either changes under it.

A rollback with no transaction open (the pool's reset of a connection that has just committed,
or only read) is answered at once, without a hop. Server-side cursors (`stream()`,
`yield_per`) keep SQLAlchemy's own cursor, a hop per fetch.
"""

from __future__ import annotations

import sqlite3
from collections import deque
from collections.abc import Iterator, Sequence
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util.concurrency import await_

# (description, rows or None, rowcount, lastrowid): all a finished statement leaves behind.
Outcome = tuple[Any, list[Any] | None, int, int | None]


def _run(conn: sqlite3.Connection, sql: str, parameters: Any) -> Outcome:
    """On the connection's thread: the statement, its rows and its counts, cursor closed."""
    cursor = conn.execute(sql, parameters)
    try:
        description = cursor.description
        rows = cursor.fetchall() if description else None
        return description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


def _run_many(conn: sqlite3.Connection, sql: str, seq_of_parameters: Any) -> Outcome:
    cursor = conn.executemany(sql, seq_of_parameters)
    try:
        return None, None, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


class OneHopCursor:
    """A buffered DBAPI cursor whose execute is one call on the connection's thread."""

    __slots__ = ("_adapted", "_rows", "arraysize", "description", "lastrowid", "rowcount")

    def __init__(self, adapted: OneHopConnection) -> None:
        self._adapted = adapted
        self._rows: deque[Any] = deque()
        self.arraysize = 1
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None

    def _keep(self, outcome: Outcome) -> None:
        self.description, rows, self.rowcount, self.lastrowid = outcome
        self._rows = deque(rows) if rows else deque()

    def execute(self, operation: str, parameters: Any = None) -> None:
        self._keep(self._adapted.run(_run, operation, () if parameters is None else parameters))

    def executemany(self, operation: str, seq_of_parameters: Any) -> None:
        self._keep(self._adapted.run(_run_many, operation, seq_of_parameters))

    def fetchone(self) -> Any:
        return self._rows.popleft() if self._rows else None

    def fetchmany(self, size: int | None = None) -> Sequence[Any]:
        rows = self._rows
        count = self.arraysize if size is None else size
        return [rows.popleft() for _ in range(min(count, len(rows)))]

    def fetchall(self) -> Sequence[Any]:
        rows = list(self._rows)
        self._rows.clear()
        return rows

    def __iter__(self) -> Iterator[Any]:
        while self._rows:
            yield self._rows.popleft()

    def close(self) -> None:
        self._rows.clear()

    async def _async_soft_close(self) -> None:
        # SQLAlchemy's async execute calls this on every buffered result to close the
        # driver's cursor early; this one holds none open.
        return None

    def setinputsizes(self, *_sizes: Any) -> None:
        return None

    def setoutputsize(self, *_args: Any) -> None:
        return None


class OneHopConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()

    def cursor(self, server_side: bool = False) -> Any:
        if server_side:
            return super().cursor(server_side=True)
        return OneHopCursor(self)

    def rollback(self) -> None:
        # The pool rolls back every connection it takes back, most of them just committed or
        # only read from: with no transaction open, there is nothing to send to the thread.
        raw = self._connection._connection
        if raw is not None and not raw.in_transaction:
            return
        super().rollback()

    def run(self, function: Any, *args: Any) -> Any:
        """`function(sqlite3_connection, *args)` on the connection's thread, awaited."""
        connection: aiosqlite.Connection = self._connection  # type: ignore[assignment]
        try:
            # aiosqlite's own queue to its thread (private, untyped; see the module docstring).
            queued = connection._execute(  # type: ignore[no-untyped-call]
                _with_connection, connection, function, *args
            )
            return await_(queued)
        except Exception as error:
            self._handle_exception(error)


def _with_connection(connection: aiosqlite.Connection, function: Any, *args: Any) -> Any:
    return function(connection._conn, *args)


class OneHopDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """SQLAlchemy's aiosqlite DBAPI shim, handing out OneHopConnection."""

    def connect(self, *arg: Any, **kw: Any) -> OneHopConnection:
        adapted = super().connect(*arg, **kw)
        return OneHopConnection(self, adapted._connection)


def dbapi() -> OneHopDBAPI:
    """The DBAPI to pass to `create_async_engine(..., module=...)` for a SQLite URL."""
    return OneHopDBAPI(aiosqlite, sqlite3)

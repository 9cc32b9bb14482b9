"""aiosqlite's connection with one trip to its thread per statement.

aiosqlite runs each sqlite3 call on the connection's own thread, and SQLAlchemy's adapter
makes four such calls per statement: open a cursor, execute, fetch the rows, close. Each trip
wakes that thread and then the event loop again, which on a small machine costs more CPU
than SQLite spends running the statement. Here a cursor is a plain object until it executes,
and executing runs the statement, takes its rows and closes the sqlite3 cursor in one trip;
the adapter then reads what that trip brought back. A commit or rollback with no
transaction open, which sqlite3 would skip, skips the trip too. Everything else (connecting,
close, the thread itself) is aiosqlite's own.

Rows are fetched whole when the statement runs, as SQLAlchemy's adapter does anyway for the
plain cursors simgate uses; a server-side cursor (which simgate never asks for on SQLite)
would get them whole too.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import aiosqlite

# What one trip brings back: description, rowcount, lastrowid, rows.
_Outcome = tuple[Any, int, int | None, list[Any]]


def _run(
    connection: sqlite3.Connection,
    call: Callable[[sqlite3.Cursor], object],
) -> _Outcome:
    """On the connection's thread: one cursor, `call` on it, its rows, closed."""
    cursor = connection.cursor()
    try:
        call(cursor)
        rows = cursor.fetchall() if cursor.description else []
        return cursor.description, cursor.rowcount, cursor.lastrowid, rows
    finally:
        cursor.close()


class OneTripCursor:
    """The part of aiosqlite's Cursor that SQLAlchemy's adapter uses."""

    arraysize = 1

    def __init__(self, connection: OneTripConnection) -> None:
        self._connection = connection
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self._rows: list[Any] = []

    async def __aenter__(self) -> OneTripCursor:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> OneTripCursor:
        values = () if parameters is None else parameters
        return await self._trip(lambda cursor: cursor.execute(sql, values))

    async def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> OneTripCursor:
        return await self._trip(lambda cursor: cursor.executemany(sql, rows))

    async def _trip(self, call: Callable[[sqlite3.Cursor], object]) -> OneTripCursor:
        connection = self._connection
        outcome: _Outcome = await connection._execute(_run, connection._conn, call)  # type: ignore[no-untyped-call]
        self.description, self.rowcount, self.lastrowid, self._rows = outcome
        return self

    async def fetchall(self) -> list[Any]:
        rows, self._rows = self._rows, []
        return rows

    async def fetchone(self) -> Any:
        return self._rows.pop(0) if self._rows else None

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        count = self.arraysize if size is None else size
        rows, self._rows = self._rows[:count], self._rows[count:]
        return rows

    async def close(self) -> None:
        self._rows = []  # the sqlite3 cursor closed at the end of its trip

    async def setinputsizes(self, *_sizes: Any) -> None:
        return None


class OneTripConnection(aiosqlite.Connection):
    """aiosqlite's connection, its cursors `OneTripCursor`s."""

    def cursor(self) -> OneTripCursor:  # type: ignore[override]
        return OneTripCursor(self)

    async def commit(self) -> None:
        if self._in_transaction():
            await super().commit()

    async def rollback(self) -> None:
        # The pool rolls back every connection handed back to it, and a read scope ends with a
        # rollback too: outside a transaction, sqlite3 would do nothing, after a trip.
        if self._in_transaction():
            await super().rollback()

    def _in_transaction(self) -> bool:
        # Read from the event loop's thread. Safe: the connection's own thread runs nothing
        # meanwhile, as SQLAlchemy awaits each call on a connection before the next.
        return self._connection is not None and self._connection.in_transaction


async def connect(args: Sequence[Any], kwargs: Mapping[str, Any]) -> aiosqlite.Connection:
    """Open a connection as `aiosqlite.connect(*args, **kwargs)` would (SQLAlchemy's connect
    arguments for the URL), its thread a daemon as SQLAlchemy makes aiosqlite's."""
    connection = OneTripConnection(lambda: sqlite3.connect(*args, **kwargs), 64)
    connection._thread.daemon = True
    return await connection

"""SQLite's connections make one trip to their thread per statement (core.sqlite_driver),
and answer as aiosqlite's would: rows, row counts, ids and errors."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError

from simgate.core import sqlite_driver
from simgate.core.db import Database


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'trips.db'}")
    async with database.transaction() as session:
        await session.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE)"))
    async with database.read() as session:  # connected, so the counts leave connecting out
        await session.execute(text("SELECT 1"))
    try:
        yield database
    finally:
        await database.dispose()


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The name of each function sent to a connection's thread, in order."""
    sent: list[str] = []
    original = sqlite_driver.OneTripConnection._execute

    async def counted(self: Any, fn: Any, *args: Any, **kwargs: Any) -> Any:
        sent.append(getattr(fn, "__name__", repr(fn)))
        return await original(self, fn, *args, **kwargs)  # type: ignore[no-untyped-call]

    monkeypatch.setattr(sqlite_driver.OneTripConnection, "_execute", counted)
    yield sent


async def test_a_transaction_costs_a_trip_per_statement_and_one_to_commit(
    db: Database, trips: list[str]
) -> None:
    async with db.transaction() as session:
        await session.execute(text("INSERT INTO t (name) VALUES ('a')"))
        rows = (await session.execute(text("SELECT name FROM t"))).all()
    assert [tuple(r) for r in rows] == [("a",)]
    # BEGIN IMMEDIATE, the INSERT, the SELECT, COMMIT; the pool's rollback on return finds no
    # transaction open and stays home.
    assert trips == ["_run", "_run", "_run", "commit"]


async def test_a_read_costs_one_trip(db: Database, trips: list[str]) -> None:
    async with db.read() as session:
        assert (await session.execute(text("SELECT count(*) FROM t"))).scalar_one() == 0
    assert trips == ["_run"]


async def test_counts_ids_and_returned_rows(db: Database) -> None:
    async with db.transaction() as session:
        inserted = await session.execute(text("INSERT INTO t (name) VALUES ('a'), ('b')"))
        assert getattr(inserted, "rowcount", None) == 2
        many = await session.execute(
            text("INSERT INTO t (name) VALUES (:n)"), [{"n": "c"}, {"n": "d"}, {"n": "e"}]
        )
        assert getattr(many, "rowcount", None) == 3
        changed = await session.execute(
            text("UPDATE t SET name = name || '!' WHERE name IN ('a', 'b') RETURNING id, name")
        )
        assert sorted(tuple(r) for r in changed) == [(1, "a!"), (2, "b!")]
        missed = await session.execute(text("UPDATE t SET name = 'x' WHERE id = 99"))
        assert getattr(missed, "rowcount", None) == 0
    async with db.read() as session:
        result = await session.execute(text("SELECT id FROM t ORDER BY id"))
        assert result.fetchone() == (1,)
        assert [tuple(r) for r in result.fetchmany(2)] == [(2,), (3,)]
        assert [tuple(r) for r in result.fetchall()] == [(4,), (5,)]


async def test_errors_are_sqlites_own_and_roll_back(db: Database) -> None:
    with pytest.raises(IntegrityError):
        async with db.transaction() as session:
            await session.execute(text("INSERT INTO t (name) VALUES ('same')"))
            await session.execute(text("INSERT INTO t (name) VALUES ('same')"))
    with pytest.raises(OperationalError, match="no such table"):
        async with db.read() as session:
            await session.execute(text("SELECT * FROM missing"))
    async with db.read() as session:
        assert (await session.execute(text("SELECT count(*) FROM t"))).scalar_one() == 0
    async with db.transaction() as session:  # the write connection is usable again
        await session.execute(text("INSERT INTO t (name) VALUES ('same')"))

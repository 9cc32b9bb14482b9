"""The SQLite driver adapter (core/sqlite_driver.py): one hop to the connection's thread per
statement, and everything SQLAlchemy reads from a cursor still right — rows in order,
rowcount, lastrowid, errors as SQLAlchemy's exceptions, and the Database's own engines."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from simgate.core import sqlite_driver
from simgate.core.db import Database


class HopCounter:
    """Counts calls queued on aiosqlite connections' threads."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.hops = 0
        original = aiosqlite.Connection._execute

        async def counted(connection: aiosqlite.Connection, fn: Any, *a: Any, **k: Any) -> Any:
            self.hops += 1
            return await original(connection, fn, *a, **k)  # type: ignore[no-untyped-call]

        monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'driver.db'}"
    engine = create_async_engine(url, module=sqlite_driver.dbapi())
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE)"))
    yield engine
    await engine.dispose()


async def test_one_hop_per_statement(engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch):
    async with engine.connect() as conn:
        await conn.execute(text("SELECT 1"))  # the pooled connection is open and set up
        hops = HopCounter(monkeypatch)
        await conn.execute(text("INSERT INTO t (name) VALUES ('a')"))
        rows = (await conn.execute(text("SELECT id, name FROM t"))).all()
        assert hops.hops == 2
        await conn.rollback()
    assert rows == [(1, "a")]


async def test_rows_in_order_and_counts(engine: AsyncEngine):
    async with engine.begin() as conn:
        first = await conn.execute(text("INSERT INTO t (name) VALUES ('a')"))
        assert first.lastrowid == 1
        many = await conn.execute(
            text("INSERT INTO t (name) VALUES (:n)"), [{"n": "b"}, {"n": "c"}, {"n": "d"}]
        )
        assert many.rowcount == 3
        returned = await conn.execute(text("INSERT INTO t (name) VALUES ('e') RETURNING id"))
        assert returned.scalar_one() == 5
        changed = await conn.execute(text("UPDATE t SET name = name || '!' WHERE id > 2"))
        assert changed.rowcount == 3
        result = await conn.execute(text("SELECT name FROM t ORDER BY id"))
        assert list(result.keys()) == ["name"]
        assert result.fetchone() == ("a",)
        assert result.fetchmany(2) == [("b",), ("c!",)]
        assert result.fetchall() == [("d!",), ("e!",)]
        assert result.fetchone() is None
        nothing = await conn.execute(text("SELECT name FROM t WHERE id < 0"))
        assert nothing.all() == []


async def test_errors_are_sqlalchemy_errors(engine: AsyncEngine):
    async with engine.connect() as conn:
        await conn.execute(text("INSERT INTO t (name) VALUES ('a')"))
        with pytest.raises(IntegrityError):
            await conn.execute(text("INSERT INTO t (name) VALUES ('a')"))
        await conn.rollback()
        with pytest.raises(OperationalError):
            await conn.execute(text("SELECT nope FROM t"))


async def test_a_rollback_with_nothing_open_costs_no_hop(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
):
    async with engine.connect() as conn:
        await conn.execute(text("SELECT 1"))
    hops = HopCounter(monkeypatch)
    async with engine.begin() as conn:
        await conn.execute(text("INSERT INTO t (name) VALUES ('kept')"))
    # The INSERT (sqlite3 opens the transaction itself) and the COMMIT; the pool's reset
    # afterwards sends nothing.
    assert hops.hops == 2
    async with engine.connect() as conn:
        await conn.execute(text("INSERT INTO t (name) VALUES ('dropped')"))
        # Left open: the pool's reset must roll it back.
    async with engine.connect() as conn:
        names = (await conn.execute(text("SELECT name FROM t"))).scalars().all()
    assert names == ["kept"]


async def test_database_uses_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'db.db'}")
    try:
        async with db.read() as session:
            await session.execute(text("SELECT 1"))
            hops = HopCounter(monkeypatch)
            assert (await session.execute(text("SELECT 2"))).scalar_one() == 2
        assert hops.hops == 1  # the read, and nothing to roll back afterwards
    finally:
        await db.dispose()

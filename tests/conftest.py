"""Shared fixtures: a real database (SQLite file, or PostgreSQL when
SIMGATE_TEST_DATABASE_URL names one), migrated once per session and emptied before each test."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from simgate.catalog import service as catalog
from simgate.core.clock import FrozenClock
from simgate.core.db import Database, is_sqlite_url
from simgate.core.migrate import upgrade
from simgate.core.settings import Settings

TEST_DB_ENV = "SIMGATE_TEST_DATABASE_URL"


async def _reset_postgres_schema(url: str) -> None:
    """Start from an empty schema: a previous run (of another branch) may have left anything."""
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get(TEST_DB_ENV) or (
        f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'simgate-test.db'}"
    )
    if not is_sqlite_url(url):
        asyncio.run(_reset_postgres_schema(url))
    upgrade(url)
    return url


async def _table_names(conn: AsyncConnection) -> list[str]:
    names = await conn.run_sync(lambda sync: inspect(sync).get_table_names())
    return [n for n in names if n != "alembic_version"]


async def empty_database(db: Database) -> None:
    """Delete every row of every table (catalog included) so each test starts clean."""
    async with db.write_engine.begin() as conn:
        names = await _table_names(conn)
        if db.is_sqlite:
            await conn.exec_driver_sql("PRAGMA defer_foreign_keys=ON")
            for name in names:
                await conn.execute(text(f'DELETE FROM "{name}"'))
        else:
            quoted = ", ".join(f'"{n}"' for n in names)
            await conn.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    await empty_database(database)
    async with database.transaction() as session:
        await catalog.seed(session)
    yield database
    await database.dispose()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(data_dir=tmp_path, database_url=database_url)

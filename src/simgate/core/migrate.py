"""Schema upgrades through Alembic, callable from the CLI and at start-up."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from simgate.core.db import Database, check_url, ensure_sqlite_dir, is_sqlite_url

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
# The config attribute that carries a step callback (done, total) into migrations/env.py.
ON_STEP = "simgate_on_step"
StepReport = Callable[[int, int], None]


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "heads", on_step: StepReport | None = None) -> None:
    """Bring the database at `url` to `revision` (creates an SQLite file if needed).

    "heads": each domain may add its own branch of migrations from 0001. `on_step` hears
    (migrations applied, migrations to apply) before the first and after each one.
    """
    check_url(url)
    if is_sqlite_url(url):
        ensure_sqlite_dir(url)
    config = alembic_config(url)
    if on_step is not None:
        config.attributes[ON_STEP] = on_step
    command.upgrade(config, revision)


async def upgrade_async(
    url: str, revision: str = "heads", on_step: StepReport | None = None
) -> None:
    # env.py runs its own event loop, so it goes to a thread when called from async code.
    await asyncio.to_thread(upgrade, url, revision, on_step)


@functools.cache
def expected_heads() -> frozenset[str]:
    """The revisions a database of this code's version is at (read from disk once)."""
    return frozenset(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


async def schema_is_current(db: Database) -> bool:
    """True when the database answers and holds exactly this code's migration heads."""
    heads = expected_heads()
    async with db.read() as session:
        try:
            rows = await session.execute(text("SELECT version_num FROM alembic_version"))
        except DBAPIError:
            # No alembic_version table: a database that was never migrated.
            if not await _answers(db):
                raise
            return False
        return frozenset(row[0] for row in rows) == heads


async def _answers(db: Database) -> bool:
    async with db.read() as session:
        await session.execute(text("SELECT 1"))
    return True

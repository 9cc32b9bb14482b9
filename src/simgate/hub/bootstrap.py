"""Bring a database to the current schema and make sure the catalog exists."""

from __future__ import annotations

from simgate.catalog import service as catalog
from simgate.core.db import Database
from simgate.core.migrate import upgrade_async


async def prepare_database(db: Database) -> None:
    """Migrate (creating an SQLite file if needed) and seed the default catalog once."""
    await upgrade_async(db.url)
    async with db.transaction() as session:
        await catalog.seed(session)

"""Bring a database to the current schema and make sure the catalog exists."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError

from simgate.catalog import service as catalog
from simgate.core.db import Database
from simgate.core.errors import Unavailable
from simgate.core.migrate import StepReport, upgrade_async


class DatabaseUnavailable(Unavailable):
    code = "DATABASE_UNAVAILABLE"


async def prepare_database(db: Database, on_step: StepReport | None = None) -> None:
    """Migrate (creating an SQLite file if needed) and seed the default catalog once.

    Every entry point starts here, so a database that cannot be reached or opened is named
    as such once, rather than as whatever the driver raised. `on_step` hears the migrations'
    progress (simgate.core.migrate.upgrade).
    """
    try:
        await upgrade_async(db.url, on_step=on_step)
    except (OSError, DBAPIError) as exc:
        # Refused connection, unknown database, a file that is not SQLite, no permission.
        reason = exc.orig if isinstance(exc, DBAPIError) else exc
        raise DatabaseUnavailable(f"cannot open the database: {reason}") from exc
    async with db.transaction() as session:
        await catalog.seed(session)

"""Alembic environment: runs migrations over the async engine of the configured URL."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from alembic import context
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from simgate.core.migrate import ON_STEP
from simgate.models import Base

# Two replicas starting at once must not both migrate; PostgreSQL serialises them on this lock.
MIGRATION_LOCK = 7_000_001


def _step_reporter(connection: Connection) -> Callable[..., None] | None:
    """An Alembic on_version_apply hook telling simgate.core.migrate's caller (done, total)."""
    report = context.config.attributes.get(ON_STEP)
    if report is None:
        return None
    script = context.script
    current = MigrationContext.configure(connection).get_current_heads()
    applied = {r.revision for r in script.iterate_revisions(current, "base")} if current else set()
    total = sum(1 for r in script.walk_revisions() if r.revision not in applied)
    done = 0
    report(done, total)

    def on_version_apply(**_: Any) -> None:
        nonlocal done
        done += 1
        report(done, total)

    return on_version_apply


def _run(connection: Connection) -> None:
    is_pg = connection.dialect.name == "postgresql"
    if is_pg:
        connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": MIGRATION_LOCK})
        connection.commit()
    try:
        hook = _step_reporter(connection)
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
            on_version_apply=hook,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()
    finally:
        if is_pg:
            connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": MIGRATION_LOCK})
            connection.commit()


async def _run_async(url: str) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run)
    finally:
        await engine.dispose()


def run() -> None:
    url = context.config.get_main_option("sqlalchemy.url")
    assert url, "sqlalchemy.url must be set by simgate.core.migrate"
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=Base.metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    asyncio.run(_run_async(url))


run()

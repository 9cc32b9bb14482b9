"""Queries on the audit list."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from simgate.core.db import insert_ignore
from simgate.models.audit import AuditEvent


async def add(session: AsyncSession, values: dict[str, Any]) -> bool:
    """Insert one event; False (and nothing written) when its request key is already taken."""
    if values.get("request_key") is None:
        session.add(AuditEvent(**values))
        await session.flush()
        return True
    table = AuditEvent.__table__
    return await insert_ignore(session, table, values, ["request_key"])  # type: ignore[arg-type]


async def page(session: AsyncSession, before_id: int | None, limit: int) -> list[AuditEvent]:
    """Events newest first, older than `before_id` (keyset paging on the primary key)."""
    stmt = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if before_id is not None:
        stmt = stmt.where(AuditEvent.id < before_id)
    return list((await session.execute(stmt)).scalars())

"""Enqueue, claim and settle outbox messages. Claims are conditional UPDATEs, so two workers
never perform the same message at once and a killed worker's claim simply times out."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from simgate.core import jsonutil
from simgate.core.claims import Lease
from simgate.core.db import insert_ignore
from simgate.models import OutboxMessage

CLAIM_SECONDS = 60
LEASE = Lease(OutboxMessage.locked_until)


async def enqueue(
    session: AsyncSession,
    kind: str,
    dedupe_key: str,
    payload: dict[str, Any],
    now: dt.datetime,
    supplier_id: int | None = None,
) -> bool:
    """Record a message; a second one with the same key is ignored (idempotency)."""
    return await insert_ignore(
        session,
        OutboxMessage.__table__,  # type: ignore[arg-type]
        {
            "kind": kind,
            "dedupe_key": dedupe_key,
            "supplier_id": supplier_id,
            "payload": jsonutil.dumps(payload).decode(),
            "attempts": 0,
            "created_at": now,
            "next_attempt_at": now,
        },
        ["dedupe_key"],
    )


async def due(session: AsyncSession, now: dt.datetime, limit: int) -> list[tuple[int, int | None]]:
    """(id, supplier id) of the messages to perform now, the longest due first."""
    stmt = (
        select(OutboxMessage.id, OutboxMessage.supplier_id)
        .where(
            OutboxMessage.done_at.is_(None),
            OutboxMessage.next_attempt_at <= now,
            LEASE.free(now),
        )
        .order_by(OutboxMessage.next_attempt_at)
        .limit(limit)
    )
    return [(int(i), supplier) for i, supplier in (await session.execute(stmt)).all()]


async def claim(session: AsyncSession, message_id: int, now: dt.datetime) -> OutboxMessage | None:
    """Take one pending message for CLAIM_SECONDS, counting the attempt."""
    claimed: OutboxMessage | None = await LEASE.take_row(
        session,
        message_id,
        now,
        now + dt.timedelta(seconds=CLAIM_SECONDS),
        OutboxMessage.done_at.is_(None),
        attempts=OutboxMessage.attempts + 1,
    )
    return claimed


async def settle(
    session: AsyncSession,
    message_id: int,
    now: dt.datetime,
    *,
    error: str | None,
    retry_at: dt.datetime | None,
) -> None:
    """Done when `error` is None; otherwise scheduled again at `retry_at`."""
    values: dict[str, Any] = {"locked_until": None}
    if error is None:
        values["done_at"] = now
        values["last_error"] = None
    else:
        values["last_error"] = error[:500]
        values["next_attempt_at"] = retry_at or now
    await session.execute(
        update(OutboxMessage).where(OutboxMessage.id == message_id).values(**values)
    )


async def backlog(session: AsyncSession) -> int:
    """Messages not yet delivered (due or waiting for a retry)."""
    query = select(func.count()).select_from(OutboxMessage).where(OutboxMessage.done_at.is_(None))
    return int((await session.execute(query)).scalar_one())

"""Recording operator actions, and reading them back. Callers own the transaction: an
action and its audit row are written in the same one."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from simgate.audit import repository as repo
from simgate.core.db import Database
from simgate.models.audit import AuditEvent

SUBJECT_MAX_LENGTH = 255  # audit_events.subject
ACTOR_MAX_LENGTH = 64  # audit_events.actor
REQUEST_KEY_MAX_LENGTH = 64  # audit_events.request_key
CLI = "cli"


@dataclass(frozen=True)
class Actor:
    """Who acts: an operator's account, or the command line (no account). `request_key`
    names one submission of a form, so a repeat of it is recognised."""

    account_id: int | None
    name: str
    request_key: str | None = None

    @classmethod
    def cli(cls) -> Actor:
        return cls(None, CLI)


async def record(
    session: AsyncSession,
    actor: Actor,
    action: str,
    subject: str,
    now: dt.datetime,
    **details: Any,
) -> bool:
    """Add one event; False when the actor's request key was recorded before (the action was
    already done: the caller does nothing). `details` are JSON (money in minor units)."""
    key = actor.request_key
    return await repo.add(
        session,
        {
            "created_at": now,
            "actor_account_id": actor.account_id,
            "actor": actor.name[:ACTOR_MAX_LENGTH],
            "action": action,
            "subject": subject[:SUBJECT_MAX_LENGTH],
            "details": json.dumps(details, sort_keys=True, ensure_ascii=False),
            "request_key": key[:REQUEST_KEY_MAX_LENGTH] if key else None,
        },
    )


async def read_page(db: Database, before_id: int | None, limit: int) -> list[AuditEvent]:
    """A page of events, newest first (its own read scope)."""
    async with db.read() as session:
        return await repo.page(session, before_id, limit)

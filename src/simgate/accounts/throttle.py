"""Attempt counters for register and login, kept in the database so replicas share them.

A fixed window per key: the first attempt opens it, each attempt takes one of `limit` slots,
and the window reopens `window_seconds` after it started. Taking a slot is one conditional
UPDATE, so concurrent requests (on any replica) can never take more slots than there are:
that is what bounds the argon2 work an attacker can cause.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import case, delete, or_, update
from sqlalchemy.ext.asyncio import AsyncSession

from simgate.core.db import insert_ignore
from simgate.core.deps import Deps
from simgate.core.errors import DomainError
from simgate.models.auth import AuthThrottle

MAX_KEY_LENGTH = 320


class TooManyAttempts(DomainError):
    """The address, username or email used up its attempts for the current window."""

    code = "TOO_MANY_ATTEMPTS"


def key_for(scope: str, kind: str, value: str) -> str:
    """The counter key of e.g. ("login", "ip", "10.0.0.1"); values are case-folded."""
    return f"{scope}:{kind}:{value.strip().lower()}"[:MAX_KEY_LENGTH]


async def take(
    session: AsyncSession, key: str, now: dt.datetime, limit: int, window_seconds: int
) -> bool:
    """Take one attempt slot of `key`; False when the window's slots are used up."""
    table = AuthThrottle.__table__
    await insert_ignore(session, table, {"key": key, "window_start": now, "hits": 0}, ["key"])  # type: ignore[arg-type]
    stale = AuthThrottle.window_start <= now - dt.timedelta(seconds=window_seconds)
    result = await session.execute(
        update(AuthThrottle)
        .where(AuthThrottle.key == key, or_(stale, AuthThrottle.hits < limit))
        .values(
            hits=case((stale, 1), else_=AuthThrottle.hits + 1),
            window_start=case((stale, now), else_=AuthThrottle.window_start),
        )
    )
    return bool(getattr(result, "rowcount", 0))


async def take_all(
    session: AsyncSession, keys: list[str], now: dt.datetime, limit: int, window_seconds: int
) -> bool:
    """Take a slot of each key in order, stopping at the first exhausted one: a throttled
    address then cannot go on using up the slots of the usernames it tries."""
    for key in keys:
        if not await take(session, key, now, limit, window_seconds):
            return False
    return True


async def give_back(session: AsyncSession, keys: list[str]) -> None:
    """Return one slot of each key (a successful login does not count against the user)."""
    await session.execute(
        update(AuthThrottle)
        .where(AuthThrottle.key.in_(keys), AuthThrottle.hits > 0)
        .values(hits=AuthThrottle.hits - 1)
    )


async def purge_expired(deps: Deps) -> int:
    """Delete counters whose window closed (a worker job); returns how many."""
    settings = deps.settings
    longest = max(settings.login_window_seconds, settings.register_window_seconds)
    cutoff = deps.clock.now() - dt.timedelta(seconds=longest)
    async with deps.db.transaction() as session:
        result = await session.execute(
            delete(AuthThrottle).where(AuthThrottle.window_start < cutoff)
        )
    return int(getattr(result, "rowcount", 0) or 0)

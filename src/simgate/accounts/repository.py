"""Queries on accounts and API keys."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from simgate.models import Account, ApiKey


async def by_name(session: AsyncSession, name: str) -> Account | None:
    return (await session.execute(select(Account).where(Account.name == name))).scalar_one_or_none()


async def by_key_hash(session: AsyncSession, key_hash: str) -> Account | None:
    stmt = (
        select(Account)
        .join(ApiKey, ApiKey.account_id == Account.id)
        .where(ApiKey.key_hash == key_hash, ApiKey.revoked_at.is_(None))
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def add_key(
    session: AsyncSession, account_id: int, key_hash: str, prefix: str, now: dt.datetime
) -> None:
    session.add(ApiKey(account_id=account_id, key_hash=key_hash, prefix=prefix, created_at=now))
    await session.flush()


async def revoke_keys(session: AsyncSession, account_id: int, now: dt.datetime) -> None:
    await session.execute(
        update(ApiKey)
        .where(ApiKey.account_id == account_id, ApiKey.revoked_at.is_(None))
        .values(revoked_at=now)
    )

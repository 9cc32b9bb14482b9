"""Queries on accounts and API keys."""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from simgate.models import Account, ApiKey, Balance
from simgate.models.auth import AuthEmail


async def by_name(session: AsyncSession, name: str) -> Account | None:
    return (await session.execute(select(Account).where(Account.name == name))).scalar_one_or_none()


async def by_key_hash(session: AsyncSession, key_hash: str) -> Account | None:
    stmt = (
        select(Account)
        .join(ApiKey, ApiKey.account_id == Account.id)
        .where(ApiKey.key_hash == key_hash, ApiKey.revoked_at.is_(None))
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def add_key(session: AsyncSession, account_id: int, now: dt.datetime) -> ApiKey:
    """A key row with a unique placeholder hash: the key is derived from the row's id, so the
    caller sets the real hash once the id exists (in the same transaction)."""
    placeholder = "pending:" + secrets.token_hex(28)
    row = ApiKey(account_id=account_id, key_hash=placeholder, prefix="", created_at=now)
    session.add(row)
    await session.flush()
    return row


async def live_keys(session: AsyncSession, account_id: int) -> list[tuple[int, str]]:
    """(id, key hash) of the account's keys that are not revoked."""
    stmt = select(ApiKey.id, ApiKey.key_hash).where(
        ApiKey.account_id == account_id, ApiKey.revoked_at.is_(None)
    )
    return [(int(i), str(h)) for i, h in await session.execute(stmt)]


async def revoke_keys(session: AsyncSession, account_id: int, now: dt.datetime) -> None:
    await session.execute(
        update(ApiKey)
        .where(ApiKey.account_id == account_id, ApiKey.revoked_at.is_(None))
        .values(revoked_at=now)
    )


async def listing(
    session: AsyncSession,
    *,
    name_part: str = "",
    blocked: bool | None = None,
    is_operator: bool | None = None,
    api_access: bool | None = None,
    limit: int = 100,
) -> list[tuple[Account, int, int]]:
    """(account, available, held) by name, filtered; None leaves a flag unfiltered."""
    stmt = (
        select(Account, Balance.available, Balance.held)
        .join(Balance, Balance.account_id == Account.id, isouter=True)
        .order_by(Account.name)
        .limit(limit)
    )
    if name_part:
        stmt = stmt.where(func.lower(Account.name).contains(name_part.lower(), autoescape=True))
    for column, wanted in (
        (Account.blocked, blocked),
        (Account.is_operator, is_operator),
        (Account.api_access, api_access),
    ):
        if wanted is not None:
            stmt = stmt.where(column.is_(wanted))
    rows = await session.execute(stmt)
    return [(account, int(available or 0), int(held or 0)) for account, available, held in rows]


async def keys_of(session: AsyncSession, account_id: int) -> list[ApiKey]:
    """The account's keys that are not revoked, newest first."""
    stmt = (
        select(ApiKey)
        .where(ApiKey.account_id == account_id, ApiKey.revoked_at.is_(None))
        .order_by(ApiKey.id.desc())
    )
    return list((await session.execute(stmt)).scalars())


async def revoke_key(session: AsyncSession, account_id: int, key_id: int, now: dt.datetime) -> bool:
    """Revoke one of the account's keys; False when it is not theirs or already revoked."""
    result = await session.execute(
        update(ApiKey)
        .where(ApiKey.id == key_id, ApiKey.account_id == account_id, ApiKey.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return bool(getattr(result, "rowcount", 0))


async def unsent_emails(session: AsyncSession) -> int:
    """Confirmation emails the mail server has not taken yet."""
    query = select(func.count()).select_from(AuthEmail).where(AuthEmail.sent_at.is_(None))
    return int((await session.execute(query)).scalar_one())

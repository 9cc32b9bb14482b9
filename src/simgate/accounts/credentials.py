"""Queries on credentials (passwords, email confirmation) and the API keys login hands out."""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from simgate.core.ids import hash_api_key
from simgate.models import Account, ApiKey
from simgate.models.auth import Credential, LoginKey


def token_hash(token: str) -> str:
    """Confirmation tokens are long random strings: a plain SHA-256 is a sound lookup hash."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


async def name_taken(session: AsyncSession, username: str) -> bool:
    stmt = select(Account.id).where(Account.name == username)
    return (await session.execute(stmt)).first() is not None


async def email_taken(session: AsyncSession, email: str) -> bool:
    stmt = select(Account.id).where(func.lower(Account.email) == email.lower())
    return (await session.execute(stmt)).first() is not None


async def add(
    session: AsyncSession,
    account_id: int,
    full_name: str,
    password_hash: str,
    token: str,
    now: dt.datetime,
    *,
    activated: bool,
) -> None:
    session.add(
        Credential(
            account_id=account_id,
            full_name=full_name,
            password_hash=password_hash,
            confirm_token_hash=token_hash(token),
            confirm_issued_at=now,
            activated_at=now if activated else None,
            created_at=now,
        )
    )
    await session.flush()


async def by_username(session: AsyncSession, username: str) -> tuple[Account, Credential] | None:
    stmt = (
        select(Account, Credential)
        .join(Credential, Credential.account_id == Account.id)
        .where(Account.name == username)
    )
    row = (await session.execute(stmt)).first()
    return (row[0], row[1]) if row is not None else None


async def by_email(session: AsyncSession, email: str) -> tuple[Account, Credential] | None:
    stmt = (
        select(Account, Credential)
        .join(Credential, Credential.account_id == Account.id)
        .where(func.lower(Account.email) == email.lower())
    )
    row = (await session.execute(stmt)).first()
    return (row[0], row[1]) if row is not None else None


async def activate(
    session: AsyncSession, token: str, now: dt.datetime, issued_after: dt.datetime
) -> bool:
    """Mark the account of `token` activated; False when unknown, expired or already active."""
    result = await session.execute(
        update(Credential)
        .where(
            Credential.confirm_token_hash == token_hash(token),
            Credential.activated_at.is_(None),
            Credential.confirm_issued_at >= issued_after,
        )
        .values(activated_at=now)
    )
    return bool(getattr(result, "rowcount", 0))


async def by_token(session: AsyncSession, token: str) -> Credential | None:
    stmt = select(Credential).where(Credential.confirm_token_hash == token_hash(token))
    return (await session.execute(stmt)).scalar_one_or_none()


async def replace_token(
    session: AsyncSession, account_id: int, token: str, now: dt.datetime
) -> bool:
    """Give a not yet activated account a new token (the old one stops working at once)."""
    result = await session.execute(
        update(Credential)
        .where(Credential.account_id == account_id, Credential.activated_at.is_(None))
        .values(confirm_token_hash=token_hash(token), confirm_issued_at=now)
    )
    return bool(getattr(result, "rowcount", 0))


async def set_password_hash(session: AsyncSession, account_id: int, password_hash: str) -> None:
    await session.execute(
        update(Credential)
        .where(Credential.account_id == account_id)
        .values(password_hash=password_hash)
    )


async def remember_login_key(
    session: AsyncSession, account_id: int, api_key: str, now: dt.datetime, keep: int
) -> None:
    """Record a key issued by login and revoke the login keys older than the newest `keep`."""
    key_id = (
        await session.execute(select(ApiKey.id).where(ApiKey.key_hash == hash_api_key(api_key)))
    ).scalar_one()
    session.add(LoginKey(account_id=account_id, api_key_id=key_id, created_at=now))
    await session.flush()
    newest = (
        select(LoginKey.api_key_id)
        .where(LoginKey.account_id == account_id)
        .order_by(LoginKey.id.desc())
        .limit(max(keep, 1))
    )
    older = select(LoginKey.api_key_id).where(
        LoginKey.account_id == account_id, LoginKey.api_key_id.not_in(newest)
    )
    await session.execute(
        update(ApiKey)
        .where(ApiKey.id.in_(older), ApiKey.revoked_at.is_(None))
        .values(revoked_at=now)
    )

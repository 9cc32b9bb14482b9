"""Queries on the web cabinet's browser sessions."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from simgate.models import Account
from simgate.models.web import WebSession


async def add(
    session: AsyncSession,
    account_id: int,
    token_hash: str,
    csrf_token: str,
    now: dt.datetime,
    expires_at: dt.datetime,
) -> None:
    session.add(
        WebSession(
            token_hash=token_hash,
            account_id=account_id,
            csrf_token=csrf_token,
            created_at=now,
            expires_at=expires_at,
        )
    )
    await session.flush()


async def live(
    session: AsyncSession, token_hash: str, now: dt.datetime
) -> tuple[WebSession, Account] | None:
    """The session of this token with its account, unless revoked or expired."""
    stmt = (
        select(WebSession, Account)
        .join(Account, Account.id == WebSession.account_id)
        .where(
            WebSession.token_hash == token_hash,
            WebSession.revoked_at.is_(None),
            WebSession.expires_at > now,
        )
    )
    row = (await session.execute(stmt)).one_or_none()
    return None if row is None else (row[0], row[1])


async def revoke(session: AsyncSession, token_hash: str, now: dt.datetime) -> None:
    await session.execute(
        update(WebSession)
        .where(WebSession.token_hash == token_hash, WebSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )


async def revoke_all(session: AsyncSession, account_id: int, now: dt.datetime) -> None:
    await session.execute(
        update(WebSession)
        .where(WebSession.account_id == account_id, WebSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )

"""Queries on signing secrets, signed requests, sender names, templates and the stop-list."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from simgate.core.db import insert_ignore
from simgate.models.delivery import (
    DeliveryRequest,
    DeliverySecret,
    DeliverySender,
    DeliveryTemplate,
    StopListEntry,
)


async def secret_of(session: AsyncSession, account_id: int) -> str | None:
    stmt = select(DeliverySecret.secret).where(DeliverySecret.account_id == account_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def secret_created_at(session: AsyncSession, account_id: int) -> dt.datetime | None:
    stmt = select(DeliverySecret.created_at).where(DeliverySecret.account_id == account_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def put_secret(
    session: AsyncSession, account_id: int, secret: str, now: dt.datetime, *, replace: bool
) -> str:
    """Store `secret` unless one exists (or replace it); returns the secret now in force."""
    inserted = await insert_ignore(
        session,
        DeliverySecret.__table__,  # type: ignore[arg-type]
        {"account_id": account_id, "secret": secret, "created_at": now},
        ["account_id"],
    )
    if not inserted and replace:
        await session.execute(
            update(DeliverySecret)
            .where(DeliverySecret.account_id == account_id)
            .values(secret=secret, created_at=now)
        )
    current = await secret_of(session, account_id)
    assert current is not None  # inserted or already there, in this transaction
    return current


async def claim_request(
    session: AsyncSession,
    signature: str,
    account_id: int,
    method: str,
    params_digest: str,
    expires_at: dt.datetime,
    reply: str | None = None,
) -> bool:
    """True when this signature is new; False when it was used before (by any method)."""
    return await insert_ignore(
        session,
        DeliveryRequest.__table__,  # type: ignore[arg-type]
        {
            "signature": signature,
            "account_id": account_id,
            "method": method,
            "params_digest": params_digest,
            "expires_at": expires_at,
            "reply": reply,
        },
        ["signature"],
    )


async def used_request(session: AsyncSession, signature: str) -> DeliveryRequest | None:
    stmt = select(DeliveryRequest).where(DeliveryRequest.signature == signature)
    return (await session.execute(stmt)).scalar_one_or_none()


async def store_reply(session: AsyncSession, signature: str, reply: str) -> None:
    await session.execute(
        update(DeliveryRequest).where(DeliveryRequest.signature == signature).values(reply=reply)
    )


async def purge_requests(session: AsyncSession, now: dt.datetime) -> int:
    result = await session.execute(delete(DeliveryRequest).where(DeliveryRequest.expires_at < now))
    return int(getattr(result, "rowcount", 0) or 0)


async def sender(session: AsyncSession, account_id: int, name: str) -> DeliverySender | None:
    stmt = select(DeliverySender).where(
        DeliverySender.account_id == account_id, DeliverySender.name == name
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def add_sender(
    session: AsyncSession, account_id: int, name: str, state: str, now: dt.datetime
) -> bool:
    decided = None if state == "moderation" else now
    return await insert_ignore(
        session,
        DeliverySender.__table__,  # type: ignore[arg-type]
        {
            "account_id": account_id,
            "name": name,
            "state": state,
            "requested_at": now,
            "decided_at": decided,
        },
        ["account_id", "name"],
    )


async def set_sender_state(
    session: AsyncSession, account_id: int, name: str, state: str, now: dt.datetime
) -> bool:
    result = await session.execute(
        update(DeliverySender)
        .where(DeliverySender.account_id == account_id, DeliverySender.name == name)
        .values(state=state, decided_at=now)
    )
    return bool(getattr(result, "rowcount", 0))


async def senders(session: AsyncSession, account_id: int | None) -> Sequence[DeliverySender]:
    stmt = select(DeliverySender).order_by(DeliverySender.account_id, DeliverySender.name)
    if account_id is not None:
        stmt = stmt.where(DeliverySender.account_id == account_id)
    return (await session.execute(stmt)).scalars().all()


async def templates(session: AsyncSession, account_id: int) -> Sequence[DeliveryTemplate]:
    stmt = (
        select(DeliveryTemplate)
        .where(DeliveryTemplate.account_id == account_id)
        .order_by(DeliveryTemplate.name)
    )
    return (await session.execute(stmt)).scalars().all()


async def add_template(
    session: AsyncSession, account_id: int, name: str, text: str, now: dt.datetime
) -> int | None:
    """The new template's id, or None when the account already has one of that name."""
    inserted = await insert_ignore(
        session,
        DeliveryTemplate.__table__,  # type: ignore[arg-type]
        {"account_id": account_id, "name": name, "text": text, "updated_at": now},
        ["account_id", "name"],
    )
    if not inserted:
        return None
    stmt = select(DeliveryTemplate.id).where(
        DeliveryTemplate.account_id == account_id, DeliveryTemplate.name == name
    )
    return int((await session.execute(stmt)).scalar_one())


async def stop_listed(session: AsyncSession, phones: Sequence[str]) -> set[str]:
    if not phones:
        return set()
    stmt = select(StopListEntry.phone).where(StopListEntry.phone.in_(list(phones)))
    return set((await session.execute(stmt)).scalars())


async def stop_list_add(session: AsyncSession, phone: str, reason: str, now: dt.datetime) -> bool:
    return await insert_ignore(
        session,
        StopListEntry.__table__,  # type: ignore[arg-type]
        {"phone": phone, "reason": reason, "created_at": now},
        ["phone"],
    )


async def stop_list_remove(session: AsyncSession, phone: str) -> bool:
    result = await session.execute(delete(StopListEntry).where(StopListEntry.phone == phone))
    return bool(getattr(result, "rowcount", 0))


async def stop_list(session: AsyncSession) -> Sequence[StopListEntry]:
    return (
        (await session.execute(select(StopListEntry).order_by(StopListEntry.phone))).scalars().all()
    )

"""Queries on signing secrets, signed requests, sender names, templates, the stop-list, and
the operator's view of the outbound queue."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import ColumnElement, and_, delete, not_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from simgate.core.db import insert_ignore
from simgate.delivery import queue
from simgate.models import Account
from simgate.models.delivery import (
    DeliveryRequest,
    DeliverySecret,
    DeliverySender,
    DeliveryTemplate,
    OutboundMessage,
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


async def remove_template(session: AsyncSession, account_id: int, template_id: int) -> bool:
    """Delete one of the account's templates; False for another account's or an unknown id."""
    result = await session.execute(
        delete(DeliveryTemplate).where(
            DeliveryTemplate.id == template_id, DeliveryTemplate.account_id == account_id
        )
    )
    return bool(getattr(result, "rowcount", 0))


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


# What the console's queue view filters on: a stored state, or the part of "queued" that a
# worker holds right now (its lease is live: it is being handed to the SMSC).
IN_FLIGHT = "in_flight"
SENT_STATES = (queue.SUBMITTED, queue.DELIVERED, queue.UNDELIVERED)
QUEUE_GROUPS = (queue.QUEUED, IN_FLIGHT, "sent", queue.FAILED)


def _in_group(group: str, now: dt.datetime) -> ColumnElement[bool] | None:
    if group == queue.QUEUED:
        return and_(OutboundMessage.state == queue.QUEUED, queue.LEASE.free(now))
    if group == IN_FLIGHT:
        return and_(OutboundMessage.state == queue.QUEUED, not_(queue.LEASE.free(now)))
    if group == "sent":
        return OutboundMessage.state.in_(SENT_STATES)
    if group == queue.FAILED:
        return OutboundMessage.state == queue.FAILED
    return None


async def queue_page(
    session: AsyncSession,
    now: dt.datetime,
    *,
    account_id: int | None,
    group: str | None,
    before_id: int | None,
    limit: int,
) -> list[tuple[OutboundMessage, str]]:
    """Messages of every account (or one) with their account's name, newest first, older
    than `before_id`: keyset paging on the primary key (on the account's index when one
    account is asked), so a late page costs what the first does."""
    stmt = select(OutboundMessage, Account.name).join(
        Account, Account.id == OutboundMessage.account_id
    )
    if account_id is not None:
        stmt = stmt.where(OutboundMessage.account_id == account_id)
    in_group = _in_group(group, now) if group else None
    if in_group is not None:
        stmt = stmt.where(in_group)
    if before_id is not None:
        stmt = stmt.where(OutboundMessage.id < before_id)
    stmt = stmt.order_by(OutboundMessage.id.desc()).limit(limit)
    return [(message, str(name)) for message, name in (await session.execute(stmt)).all()]


async def cancel_queued(
    session: AsyncSession, message_id: int, now: dt.datetime, error: str
) -> int | None:
    """queued -> failed for a message no worker holds (one being handed to the SMSC right now
    could still be sent, uncharged); the hold id to release, or None when it was not so."""
    result = await session.execute(
        update(OutboundMessage)
        .where(
            OutboundMessage.id == message_id,
            OutboundMessage.state == queue.QUEUED,
            queue.LEASE.free(now),
        )
        .values(
            state=queue.FAILED, finished_at=now, lease=None, locked_until=None, last_error=error
        )
    )
    if not getattr(result, "rowcount", 0):
        return None
    return await queue.hold_of(session, message_id)

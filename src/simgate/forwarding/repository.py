"""Queries on forwardings and their payments. Claims are conditional UPDATEs, so several
workers never poll the same forwarding or send the same payment at once."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from simgate.activations.states import OPEN_STATES
from simgate.core.claims import Lease
from simgate.forwarding.states import Status
from simgate.models import Activation
from simgate.models.forwarding import Forwarding, ForwardPayment

CREATED = 1
SENT = 2
CREDITED = 3

# A forwarding's next check is its lease too: a claimed check is pushed past its lease.
CHECK_LEASE = Lease(Forwarding.next_check_at, due_inclusive=True)
PAYMENT_LEASE = Lease(ForwardPayment.locked_until)

# The spec's example sorts by "number"; every key maps to a column, nothing else is allowed.
SORTABLE: dict[str, Any] = {
    "id": Forwarding.id,
    "number": Forwarding.phone,
    "forward_number": Forwarding.forward_number,
    "status": Forwarding.status,
    "minutes": Forwarding.minutes,
    "created_at": Forwarding.created_at,
    "updated_at": Forwarding.updated_at,
}


async def get_owned(
    session: AsyncSession, account_id: int, forwarding_id: int
) -> Forwarding | None:
    stmt = select(Forwarding).where(
        Forwarding.id == forwarding_id, Forwarding.account_id == account_id
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def by_activation(session: AsyncSession, activation_id: int) -> Forwarding | None:
    stmt = select(Forwarding).where(Forwarding.activation_id == activation_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def for_activations(session: AsyncSession, activation_ids: list[int]) -> list[Forwarding]:
    if not activation_ids:
        return []
    stmt = select(Forwarding).where(Forwarding.activation_id.in_(activation_ids))
    return list((await session.execute(stmt)).scalars())


async def count(session: AsyncSession, account_id: int) -> int:
    stmt = select(func.count()).select_from(Forwarding).where(Forwarding.account_id == account_id)
    return int((await session.execute(stmt)).scalar_one())


async def page(
    session: AsyncSession,
    account_id: int,
    order: list[tuple[str, bool]],
    offset: int,
    limit: int,
) -> list[Forwarding]:
    """One page of the account's forwardings; `order` is (SORTABLE key, descending) pairs."""
    columns = [SORTABLE[name].desc() if desc else SORTABLE[name].asc() for name, desc in order]
    stmt = (
        select(Forwarding)
        .where(Forwarding.account_id == account_id)
        .order_by(*columns, Forwarding.id.asc())
        .offset(offset)
        .limit(limit)
    )
    return list((await session.execute(stmt)).scalars())


async def set_status(
    session: AsyncSession, forwarding_id: int, expected: Status, new: Status, **values: Any
) -> bool:
    """Move one forwarding from `expected` to `new`; False when someone else moved it first."""
    result = await session.execute(
        update(Forwarding)
        .where(Forwarding.id == forwarding_id, Forwarding.status == int(expected))
        .values(status=int(new), **values)
    )
    return bool(getattr(result, "rowcount", 0))


async def update_if(
    session: AsyncSession, forwarding_id: int, expected: Status, **values: Any
) -> bool:
    """Bookkeeping (errors, next check) that only holds while the status is still `expected`."""
    result = await session.execute(
        update(Forwarding)
        .where(Forwarding.id == forwarding_id, Forwarding.status == int(expected))
        .values(**values)
    )
    return bool(getattr(result, "rowcount", 0))


async def get(session: AsyncSession, forwarding_id: int) -> Forwarding | None:
    return await session.get(Forwarding, forwarding_id, populate_existing=True)


async def spent(session: AsyncSession, forwarding_id: int) -> int:
    """Money (minor units) held or charged for the forwarding's top-ups; refused ones excluded."""
    stmt = select(func.coalesce(func.sum(ForwardPayment.amount), 0)).where(
        ForwardPayment.forwarding_id == forwarding_id, ForwardPayment.cancelled.is_(False)
    )
    return int((await session.execute(stmt)).scalar_one())


async def rental_open(session: AsyncSession, activation_id: int, now: dt.datetime) -> bool:
    """Whether the rental the forwarding was set up on is still running."""
    stmt = select(Activation.id).where(
        Activation.id == activation_id,
        Activation.state.in_([s.value for s in OPEN_STATES]),
        Activation.expires_at > now,
    )
    return (await session.execute(stmt)).first() is not None


def _due_check(now: dt.datetime) -> ColumnElement[bool]:
    polled = and_(Forwarding.status == Status.WORKING, Forwarding.confirmed.is_(True))
    # SETTING past its lease: the hub that sent FORWARD_SET never recorded the answer.
    owed = Forwarding.status.in_((Status.CANCELLING, Status.SETTING))
    return and_(or_(polled, owed, _outlived(now)), CHECK_LEASE.free(now))


def _outlived(now: dt.datetime) -> ColumnElement[bool]:
    """In force (or blocked) without `auto`, on a rental that has ended: it ends too."""
    ended = select(Activation.id).where(
        Activation.id == Forwarding.activation_id,
        or_(
            Activation.state.not_in([s.value for s in OPEN_STATES]),
            Activation.expires_at <= now,
        ),
    )
    return and_(
        Forwarding.status.in_((Status.WORKING, Status.BLOCKED)),
        Forwarding.auto_extend.is_(False),
        ended.exists(),
    )


async def due_checks(session: AsyncSession, now: dt.datetime, limit: int) -> list[int]:
    """Confirmed working forwardings due for a balance poll, removals owed to the agent, and
    FORWARD_SETs whose answer was never recorded."""
    stmt = (
        select(Forwarding.id).where(_due_check(now)).order_by(Forwarding.next_check_at).limit(limit)
    )
    return [int(i) for i in (await session.execute(stmt)).scalars()]


async def claim_check(
    session: AsyncSession, forwarding_id: int, now: dt.datetime, until: dt.datetime
) -> Forwarding | None:
    """Take one due check: no other worker sees it due until `until`."""
    claimed: Forwarding | None = await CHECK_LEASE.take_row(
        session, forwarding_id, now, until, _due_check(now), attempts=Forwarding.attempts + 1
    )
    return claimed


async def has_open_payment(session: AsyncSession, forwarding_id: int) -> bool:
    stmt = select(ForwardPayment.id).where(
        ForwardPayment.forwarding_id == forwarding_id,
        ForwardPayment.status.in_((CREATED, SENT)),
        ForwardPayment.cancelled.is_(False),
    )
    return (await session.execute(stmt.limit(1))).first() is not None


def _due_payment(now: dt.datetime) -> ColumnElement[bool]:
    return and_(
        ForwardPayment.status.in_((CREATED, SENT)),
        ForwardPayment.cancelled.is_(False),
        ForwardPayment.next_attempt_at <= now,
        PAYMENT_LEASE.free(now),
    )


async def due_payments(session: AsyncSession, now: dt.datetime, limit: int) -> list[int]:
    stmt = (
        select(ForwardPayment.id)
        .where(_due_payment(now))
        .order_by(ForwardPayment.next_attempt_at)
        .limit(limit)
    )
    return [int(i) for i in (await session.execute(stmt)).scalars()]


async def claim_payment(
    session: AsyncSession, payment_id: int, now: dt.datetime, until: dt.datetime
) -> ForwardPayment | None:
    """Take one payment to send; it is `sent for payment` (2) from here on, retries included."""
    claimed: ForwardPayment | None = await PAYMENT_LEASE.take_row(
        session,
        payment_id,
        now,
        until,
        _due_payment(now),
        status=SENT,
        attempts=ForwardPayment.attempts + 1,
    )
    return claimed


async def unsent_payments(session: AsyncSession, forwarding_id: int) -> list[ForwardPayment]:
    stmt = select(ForwardPayment).where(
        ForwardPayment.forwarding_id == forwarding_id,
        ForwardPayment.status == CREATED,
        ForwardPayment.cancelled.is_(False),
    )
    return list((await session.execute(stmt)).scalars())


async def payments(session: AsyncSession, forwarding_id: int) -> list[ForwardPayment]:
    """Payments of one forwarding, oldest first; refused ones (hold released) are left out."""
    stmt = (
        select(ForwardPayment)
        .where(ForwardPayment.forwarding_id == forwarding_id, ForwardPayment.cancelled.is_(False))
        .order_by(ForwardPayment.id)
    )
    return list((await session.execute(stmt)).scalars())

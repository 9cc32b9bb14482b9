"""Queries on suppliers and their stock."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, Update, bindparam, delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from simgate.core.claims import Lease
from simgate.models import Activation, InboundSms, OutboxMessage, Supplier, SupplierStock
from simgate.models.base import table_of
from simgate.models.forwarding import Forwarding

# forwardings.status 3: the spec's "finished" (simgate.forwarding.states.Status.FINISHED,
# which this package may not import: forwarding builds on suppliers).
FORWARDING_FINISHED = 3

# One stock poll of a supplier at a time.
POLL_LEASE = Lease(Supplier.poll_locked_until)


async def by_name(session: AsyncSession, name: str) -> Supplier | None:
    stmt = select(Supplier).where(Supplier.name == name)
    return (await session.execute(stmt)).scalar_one_or_none()


async def by_key_hash(session: AsyncSession, key_hash: str) -> Supplier | None:
    stmt = select(Supplier).where(Supplier.key_hash == key_hash)
    return (await session.execute(stmt)).scalar_one_or_none()


async def all_suppliers(session: AsyncSession) -> list[Supplier]:
    return list((await session.execute(select(Supplier).order_by(Supplier.id))).scalars())


async def enabled_count(session: AsyncSession) -> int:
    rows = await session.execute(select(Supplier.id).where(Supplier.enabled.is_(True)))
    return len(rows.all())


async def due_for_poll(session: AsyncSession, before: dt.datetime) -> list[int]:
    stmt = select(Supplier.id).where(
        Supplier.enabled.is_(True),
        or_(Supplier.last_poll_at.is_(None), Supplier.last_poll_at <= before),
    )
    return [int(i) for i in (await session.execute(stmt)).scalars()]


async def claim_poll(
    session: AsyncSession, supplier_id: int, now: dt.datetime, until: dt.datetime
) -> bool:
    """Only one worker polls a supplier at a time."""
    return await POLL_LEASE.take_one(session, supplier_id, now, until)


async def replace_stock(
    session: AsyncSession,
    supplier_id: int,
    lines: Iterable[tuple[str, str, str, int]],
    now: dt.datetime,
) -> None:
    await session.execute(delete(SupplierStock).where(SupplierStock.supplier_id == supplier_id))
    rows = [
        {
            "supplier_id": supplier_id,
            "country_slug": c,
            "operator_slug": o,
            "service_code": s,
            "count": n,
            "updated_at": now,
        }
        for c, o, s, n in lines
    ]
    if rows:
        await session.execute(insert(SupplierStock), rows)


async def stock_candidates(
    session: AsyncSession,
    country_slug: str,
    service_code: str,
    operator_slug: str,
    *,
    supplier_id: int | None = None,
) -> list[tuple[Supplier, str, int]]:
    """(supplier, operator, count) with stock at enabled suppliers, best first: priority, then
    stock size. Health is the caller's to judge (suppliers.service.is_resting).

    With `supplier_id` (a repeat rental, from the agent that sold the number) a zero count
    qualifies too: an agent keeps a SIM sold for the service out of its plain stock, yet hands
    it to a GET_NUMBER that names it."""
    stmt = _stock_candidates(operator_slug != "any", supplier_id is not None)
    params = {
        "c_country": country_slug,
        "c_service": service_code,
        "c_operator": operator_slug,
        "c_supplier": supplier_id,
    }
    return [(s, str(o), int(n)) for s, o, n in (await session.execute(stmt, params))]


@functools.cache
def _stock_candidates(by_operator: bool, one_supplier: bool) -> Select[Supplier, str, int]:
    """`stock_candidates`' query, built once per shape: every rental sends it."""
    stmt = (
        select(Supplier, SupplierStock.operator_slug, SupplierStock.count)
        .join(SupplierStock, SupplierStock.supplier_id == Supplier.id)
        .where(
            Supplier.enabled.is_(True),
            SupplierStock.country_slug == bindparam("c_country"),
            SupplierStock.service_code == bindparam("c_service"),
            Supplier.id == bindparam("c_supplier") if one_supplier else SupplierStock.count > 0,
        )
        .order_by(Supplier.priority.desc(), SupplierStock.count.desc(), Supplier.id)
    )
    if by_operator:
        operators = (bindparam("c_operator", type_=SupplierStock.operator_slug.type), "any")
        stmt = stmt.where(SupplierStock.operator_slug.in_(operators))
    return stmt


def _take_stock(count: Any) -> Update:
    stock = table_of(SupplierStock)
    return (
        update(stock)
        .where(
            stock.c.supplier_id == bindparam("s_supplier"),
            stock.c.country_slug == bindparam("s_country"),
            stock.c.operator_slug == bindparam("s_operator"),
            stock.c.service_code == bindparam("s_service"),
            stock.c.count > 0,
        )
        .values(count=count)
    )


# zero -> the UPDATE: one number fewer, or none left
_TAKE_STOCK = {False: _take_stock(table_of(SupplierStock).c.count - 1), True: _take_stock(0)}


async def adjust_stock(
    session: AsyncSession,
    supplier_id: int,
    country_slug: str,
    operator_slug: str,
    service_code: str,
    *,
    zero: bool = False,
) -> None:
    """Keep the cached stock honest between polls: one fewer, or none at all."""
    params = {
        "s_supplier": supplier_id,
        "s_country": country_slug,
        "s_operator": operator_slug,
        "s_service": service_code,
    }
    await session.execute(_TAKE_STOCK[zero], params)


async def mark_ok(session: AsyncSession, supplier_id: int, now: dt.datetime) -> None:
    """The agent answered: its fault streak ends (a back-off with it)."""
    await session.execute(
        update(Supplier)
        .where(Supplier.id == supplier_id)
        .values(last_ok_at=now, consecutive_failures=0)
    )


async def mark_fault(session: AsyncSession, supplier_id: int, error: str, now: dt.datetime) -> None:
    """One more fault of the agent's own, counted in the UPDATE itself: two hub processes
    counting at once each add theirs, where a read-then-write would lose one."""
    await session.execute(
        update(Supplier)
        .where(Supplier.id == supplier_id)
        .values(
            last_error=error[:500],
            last_error_at=now,
            consecutive_failures=Supplier.consecutive_failures + 1,
        )
    )


async def end_poll(session: AsyncSession, supplier_id: int, now: dt.datetime) -> None:
    """The poll is over (its lease released) without a stock to store."""
    await session.execute(
        update(Supplier)
        .where(Supplier.id == supplier_id)
        .values(last_poll_at=now, poll_locked_until=None)
    )


async def stock_totals(session: AsyncSession) -> dict[tuple[str, str], int]:
    """Sum of stock per (country slug, service code) over enabled suppliers."""
    stmt = (
        select(SupplierStock.country_slug, SupplierStock.service_code, SupplierStock.count)
        .join(Supplier, Supplier.id == SupplierStock.supplier_id)
        .where(Supplier.enabled.is_(True))
    )
    totals: dict[tuple[str, str], int] = {}
    for country, service, count in await session.execute(stmt):
        totals[(country, service)] = totals.get((country, service), 0) + int(count)
    return totals


async def stock_of(session: AsyncSession, supplier_id: int) -> list[SupplierStock]:
    stmt = select(SupplierStock).where(SupplierStock.supplier_id == supplier_id)
    return list((await session.execute(stmt)).scalars())


async def lock_by_name(session: AsyncSession, name: str) -> Supplier | None:
    """The supplier row, locked until commit (a rental's transaction waits on it)."""
    stmt = select(Supplier).where(Supplier.name == name).with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def _count(session: AsyncSession, stmt: Select[int]) -> int:
    return int((await session.execute(stmt)).scalar_one())


async def usage(session: AsyncSession, supplier_id: int) -> dict[str, int]:
    """How many rows refer to the supplier, open ones apart: what keeps it from being deleted."""
    count = select(func.count())
    rentals = count.select_from(Activation).where(Activation.supplier_id == supplier_id)
    forwardings = count.select_from(Forwarding).where(Forwarding.supplier_id == supplier_id)
    calls = count.select_from(OutboxMessage).where(OutboxMessage.supplier_id == supplier_id)
    return {
        "open rentals": await _count(session, rentals.where(Activation.finished_at.is_(None))),
        "open forwardings": await _count(
            session, forwardings.where(Forwarding.status != FORWARDING_FINISHED)
        ),
        "calls owed": await _count(session, calls.where(OutboxMessage.done_at.is_(None))),
        "rentals": await _count(session, rentals),
        "SMS": await _count(
            session, count.select_from(InboundSms).where(InboundSms.supplier_id == supplier_id)
        ),
        "forwardings": await _count(session, forwardings),
        "calls": await _count(session, calls),
    }


async def delete_supplier(session: AsyncSession, supplier_id: int) -> None:
    """Delete the supplier and its stock (callers first make sure nothing refers to it)."""
    await session.execute(delete(SupplierStock).where(SupplierStock.supplier_id == supplier_id))
    await session.execute(delete(Supplier).where(Supplier.id == supplier_id))

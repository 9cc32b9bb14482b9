"""The console's reads across every account and supplier: counts for the dashboard and the
sender names awaiting a decision. Each count is bounded by an index (migration 0014), so the
dashboard's polling stays cheap as the tables grow."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from simgate.activations.states import OPEN_STATES
from simgate.models import Account, Activation, InboundSms, LedgerEntry, SupplierStock
from simgate.models.delivery import DeliverySender


async def open_rentals(session: AsyncSession) -> int:
    stmt = select(func.count()).where(Activation.state.in_([s.value for s in OPEN_STATES]))
    return int((await session.execute(stmt)).scalar_one())


async def sms_since(session: AsyncSession, since: dt.datetime) -> int:
    stmt = select(func.count()).select_from(InboundSms).where(InboundSms.received_at >= since)
    return int((await session.execute(stmt)).scalar_one())


async def entry_sums_since(session: AsyncSession, since: dt.datetime) -> dict[str, int]:
    """Sum of the ledger entries of each kind written since `since`."""
    stmt = (
        select(LedgerEntry.kind, func.sum(LedgerEntry.amount))
        .where(LedgerEntry.created_at >= since)
        .group_by(LedgerEntry.kind)
    )
    return {str(kind): int(total or 0) for kind, total in await session.execute(stmt)}


async def rentals_by_supplier(
    session: AsyncSession, since: dt.datetime
) -> dict[int, tuple[int, int]]:
    """supplier id -> (rentals given a number since `since`, those of them that got an SMS)."""
    stmt = (
        select(
            Activation.supplier_id,
            func.count(func.distinct(Activation.id)),
            func.count(func.distinct(InboundSms.activation_id)),
        )
        .join(InboundSms, InboundSms.activation_id == Activation.id, isouter=True)
        .where(
            Activation.supplier_id.is_not(None),
            Activation.created_at >= since,
            Activation.phone.is_not(None),
        )
        .group_by(Activation.supplier_id)
    )
    return {int(s or 0): (int(n), int(got)) for s, n, got in await session.execute(stmt)}


async def stock_by_service(session: AsyncSession) -> dict[int, list[tuple[str, int]]]:
    """supplier id -> [(service code, free numbers)] from its last GET_SERVICES."""
    stmt = (
        select(SupplierStock.supplier_id, SupplierStock.service_code, func.sum(SupplierStock.count))
        .group_by(SupplierStock.supplier_id, SupplierStock.service_code)
        .order_by(SupplierStock.supplier_id, SupplierStock.service_code)
    )
    found: dict[int, list[tuple[str, int]]] = {}
    for supplier_id, code, count in await session.execute(stmt):
        found.setdefault(int(supplier_id), []).append((str(code), int(count or 0)))
    return found


async def senders(session: AsyncSession, limit: int) -> list[tuple[DeliverySender, str]]:
    """Sender names with their account's name: awaiting moderation first, then newest."""
    waiting = DeliverySender.state == "moderation"
    stmt = (
        select(DeliverySender, Account.name)
        .join(Account, Account.id == DeliverySender.account_id)
        .order_by(waiting.desc(), DeliverySender.id.desc())
        .limit(limit)
    )
    return [(sender, str(name)) for sender, name in await session.execute(stmt)]

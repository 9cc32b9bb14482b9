"""What the console's dashboard shows: the platform now, today, and each supplier's health."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from simgate.core import metrics
from simgate.core.db import Database
from simgate.models import Supplier
from simgate.models.delivery import DeliverySender
from simgate.operators import repository as repo
from simgate.suppliers import service as suppliers

SUCCESS_WINDOW = dt.timedelta(days=1)
SENDERS_SHOWN = 200


@dataclass(frozen=True)
class SupplierHealth:
    supplier: Supplier
    health: str  # ok | failing | resting | disabled | unknown
    stock: list[tuple[str, int]]  # (service code, free numbers)
    rentals: int  # given a number in the last day
    with_sms: int  # of those, the ones that got an SMS

    @property
    def success_percent(self) -> int | None:
        return None if not self.rentals else round(100 * self.with_sms / self.rentals)


@dataclass(frozen=True)
class Figures:
    open_rentals: int
    sms_last_minute: int
    sales_today: int  # captured holds (minor units)
    refunds_today: int  # released holds and refunds after a sale
    deposits_today: int
    push_to_visible: float | None  # mean seconds, this hub's processes since start
    suppliers: list[SupplierHealth]


def _health(supplier: Supplier, now: dt.datetime) -> str:
    if not supplier.enabled:
        return "disabled"
    if suppliers.is_resting(supplier, now):
        return "resting"
    if supplier.consecutive_failures > 0:
        return "failing"
    return "ok" if supplier.last_ok_at is not None else "unknown"


def push_to_visible_mean() -> float | None:
    """Mean seconds from a PUSH_SMS arriving to its SMS being visible (the hub's histogram)."""
    registry = metrics.scrape_registry()
    count = registry.get_sample_value("simgate_push_to_visible_seconds_count")
    total = registry.get_sample_value("simgate_push_to_visible_seconds_sum")
    if not count or total is None:
        return None
    return total / count


async def figures(db: Database, now: dt.datetime) -> Figures:
    """Every figure of the dashboard, read in one scope."""
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    async with db.read() as session:
        sums = await repo.entry_sums_since(session, midnight)
        usage = await repo.rentals_by_supplier(session, now - SUCCESS_WINDOW)
        stock = await repo.stock_by_service(session)
        health = [
            SupplierHealth(s, _health(s, now), stock.get(s.id, []), *usage.get(s.id, (0, 0)))
            for s, _ in await suppliers.overview(session)
        ]
        return Figures(
            open_rentals=await repo.open_rentals(session),
            sms_last_minute=await repo.sms_since(session, now - dt.timedelta(minutes=1)),
            sales_today=sums.get("capture", 0),
            refunds_today=sums.get("release", 0) + sums.get("refund", 0),
            deposits_today=sums.get("deposit", 0),
            push_to_visible=push_to_visible_mean(),
            suppliers=health,
        )


async def senders(db: Database) -> list[tuple[DeliverySender, str]]:
    """Sender names with their account's name, those awaiting a decision first."""
    async with db.read() as session:
        return await repo.senders(session, SENDERS_SHOWN)

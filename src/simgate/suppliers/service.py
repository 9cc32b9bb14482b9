"""Supplier use cases: registration, health, stock refresh."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession

from simgate.catalog import repository as catalog_repo
from simgate.core.errors import Conflict, NotFound
from simgate.core.ids import hash_api_key
from simgate.models import Supplier
from simgate.suppliers import repository as repo
from simgate.suppliers.client import Endpoint, StockLine

OTHER_CODE = "ot"


class SupplierExists(Conflict):
    code = "SUPPLIER_EXISTS"


class SupplierNotFound(NotFound):
    code = "SUPPLIER_NOT_FOUND"


async def add(
    session: AsyncSession,
    name: str,
    url: str,
    key: str,
    now: dt.datetime,
    *,
    priority: int = 0,
    currency: int = 643,
    timeout_seconds: float = 3.0,
) -> Supplier:
    """Register an agent; its key also authenticates the agent's PUSH_SMS."""
    if await repo.by_name(session, name) is not None:
        raise SupplierExists(f"supplier {name!r} already exists")
    supplier = Supplier(
        name=name,
        url=url,
        key=key,
        key_hash=hash_api_key(key),
        priority=priority,
        currency=currency,
        timeout_seconds=timeout_seconds,
        enabled=True,
        created_at=now,
        consecutive_failures=0,
    )
    session.add(supplier)
    await session.flush()
    return supplier


async def get(session: AsyncSession, name: str) -> Supplier:
    """The supplier called `name`."""
    supplier = await repo.by_name(session, name)
    if supplier is None:
        raise SupplierNotFound(f"no supplier {name!r}")
    return supplier


async def by_push_key(session: AsyncSession, key: str) -> Supplier | None:
    """The supplier an incoming PUSH_SMS key belongs to."""
    return await repo.by_key_hash(session, hash_api_key(key))


def endpoint(supplier: Supplier) -> Endpoint:
    return Endpoint(supplier.url, supplier.key, supplier.timeout_seconds)


# After its n-th fault in a row an agent rests FIRST * 2**(n-1) seconds, at most MAX: a dead
# agent then costs buyers one timeout per rest instead of one per getNum. A stock poll that
# succeeds ends the rest early.
BACKOFF_FIRST_SECONDS = 5.0
BACKOFF_MAX_SECONDS = 60.0


def resting_until(supplier: Supplier) -> dt.datetime | None:
    """When the agent's back-off ends; None when it is not backing off."""
    if supplier.consecutive_failures <= 0 or supplier.last_error_at is None:
        return None
    exponent = min(supplier.consecutive_failures - 1, 16)
    seconds = min(BACKOFF_FIRST_SECONDS * 2**exponent, BACKOFF_MAX_SECONDS)
    return supplier.last_error_at + dt.timedelta(seconds=seconds)


def is_resting(supplier: Supplier, now: dt.datetime) -> bool:
    """True while the agent is backing off after faults of its own: nobody should wait on it."""
    until = resting_until(supplier)
    return until is not None and now < until


def record_success(supplier: Supplier, now: dt.datetime) -> None:
    supplier.last_ok_at = now
    supplier.consecutive_failures = 0


def record_failure(supplier: Supplier, error: str, now: dt.datetime) -> None:
    """Count a fault of the agent's own (AgentFault); a refusal of one request is not one."""
    supplier.last_error = error[:500]
    supplier.last_error_at = now
    supplier.consecutive_failures += 1


async def store_stock(
    session: AsyncSession, supplier: Supplier, lines: Iterable[StockLine], now: dt.datetime
) -> None:
    """Replace the supplier's stock with what GET_SERVICES reported.

    Service codes the catalog does not know are counted under `ot` (PROTOCOL-NOTES A).
    """
    known = {s.agent_code for s in await catalog_repo.services(session)}
    merged: dict[tuple[str, str, str], int] = {}
    for line in lines:
        code = line.service if line.service in known else OTHER_CODE
        key = (line.country, line.operator, code)
        merged[key] = merged.get(key, 0) + line.count
    # The supplier row before its stock rows: the order a rental's transaction locks them in.
    supplier.last_poll_at = now
    supplier.poll_locked_until = None
    record_success(supplier, now)
    await session.flush()
    await repo.replace_stock(session, supplier.id, [(*k, n) for k, n in merged.items()], now)

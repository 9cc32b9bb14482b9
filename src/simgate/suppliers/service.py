"""Supplier use cases: registration, health, stock refresh."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from simgate.catalog import repository as catalog_repo
from simgate.core import backoff, validate
from simgate.core.errors import Conflict, InvalidInput, NotFound
from simgate.core.ids import hash_api_key
from simgate.core.money import AGENT_CURRENCY_EXPONENT
from simgate.models import Supplier
from simgate.suppliers import repository as repo
from simgate.suppliers.client import Endpoint, StockLine

OTHER_CODE = "ot"


class SupplierExists(Conflict):
    code = "SUPPLIER_EXISTS"


class SupplierNotFound(NotFound):
    code = "SUPPLIER_NOT_FOUND"


NAME_MAX_LENGTH = 64  # suppliers.name
URL_MAX_LENGTH = 512  # suppliers.url
KEY_MAX_LENGTH = 256  # suppliers.key
MAX_TIMEOUT_SECONDS = 300.0


DEFAULT_CURRENCY = 643  # ISO 4217 numeric: RUB, what agents of this market price in


def _check(
    *,
    name: str | None = None,
    url: str | None = None,
    key: str | None = None,
    priority: int | None = None,
    currency: int | None = None,
    timeout_seconds: float | None = None,
) -> None:
    """Refuse what the columns cannot hold or the agent protocol cannot use; None is not checked."""
    if name is not None:
        validate.text(name, "supplier name", max_length=NAME_MAX_LENGTH)
    if url is not None:
        validate.http_url(url, "supplier URL", max_length=URL_MAX_LENGTH)
    if key is not None:
        validate.text(key, "supplier key", max_length=KEY_MAX_LENGTH)
    if priority is not None:
        validate.integer(priority, "priority", minimum=-validate.MAX_INT32)
    if currency is not None and currency not in AGENT_CURRENCY_EXPONENT:
        known = ", ".join(str(c) for c in AGENT_CURRENCY_EXPONENT)
        raise InvalidInput(f"currency {currency} is not one of {known}")
    if timeout_seconds is not None and not 0 < timeout_seconds <= MAX_TIMEOUT_SECONDS:
        raise InvalidInput(f"timeout must be above 0 and at most {MAX_TIMEOUT_SECONDS:g} seconds")


async def _check_key_free(session: AsyncSession, key: str, owner: Supplier | None) -> str:
    """The key's hash, refusing a key another supplier uses: PUSH_SMS tells agents apart by it."""
    key_hash = hash_api_key(key)
    holder = await repo.by_key_hash(session, key_hash)
    if holder is not None and holder is not owner:
        raise SupplierExists(f"supplier {holder.name!r} already uses this key")
    return key_hash


async def add(
    session: AsyncSession,
    name: str,
    url: str,
    key: str,
    now: dt.datetime,
    *,
    priority: int = 0,
    currency: int = DEFAULT_CURRENCY,
    timeout_seconds: float = 3.0,
) -> Supplier:
    """Register an agent; its key also authenticates the agent's PUSH_SMS."""
    _check(
        name=name,
        url=url,
        key=key,
        priority=priority,
        currency=currency,
        timeout_seconds=timeout_seconds,
    )
    if await repo.by_name(session, name) is not None:
        raise SupplierExists(f"supplier {validate.shown(name)} already exists")
    supplier = Supplier(
        name=name,
        url=url,
        key=key,
        key_hash=await _check_key_free(session, key, None),
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


async def find(session: AsyncSession, name: str) -> Supplier | None:
    """The supplier called `name`, or None."""
    return await repo.by_name(session, name)


async def overview(session: AsyncSession) -> list[tuple[Supplier, int]]:
    """Every supplier with the free numbers it last reported, for operators' listings."""
    return [
        (s, sum(row.count for row in await repo.stock_of(session, s.id)))
        for s in await repo.all_suppliers(session)
    ]


async def get(session: AsyncSession, name: str) -> Supplier:
    """The supplier called `name`."""
    supplier = await repo.by_name(session, name)
    if supplier is None:
        raise SupplierNotFound(f"no supplier {validate.shown(name)}")
    return supplier


async def change(
    session: AsyncSession,
    supplier: Supplier,
    *,
    url: str | None = None,
    key: str | None = None,
    priority: int | None = None,
    enabled: bool | None = None,
) -> None:
    """Re-point, re-key, re-rank, enable or disable an agent; None leaves a value as it is."""
    _check(url=url, key=key, priority=priority)
    if key is not None:
        supplier.key_hash = await _check_key_free(session, key, supplier)
        supplier.key = key
    if url is not None:
        supplier.url = url
    if url is not None or key is not None:
        supplier.last_poll_at = None  # its stock may have changed with it: poll it next
    if priority is not None:
        supplier.priority = priority
    if enabled is not None:
        supplier.enabled = enabled
    await session.flush()


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
    seconds = backoff.delay(
        BACKOFF_FIRST_SECONDS,
        supplier.consecutive_failures,
        cap=BACKOFF_MAX_SECONDS,
        max_doublings=16,
    )
    return supplier.last_error_at + dt.timedelta(seconds=seconds)


def is_resting(supplier: Supplier, now: dt.datetime) -> bool:
    """True while the agent is backing off after faults of its own: nobody should wait on it."""
    until = resting_until(supplier)
    return until is not None and now < until


def record_success(supplier: Supplier, now: dt.datetime) -> None:
    supplier.last_ok_at = now
    supplier.consecutive_failures = 0


# A good answer from an agent with no faults writes its row only when last_ok_at is older
# than this: the stock poll refreshes it every stock_poll_seconds anyway, and a write per
# rental made the one supplier row the hub's busiest.
HEALTH_REFRESH_SECONDS = 30.0


@dataclass(frozen=True)
class StockKey:
    country: str
    operator: str
    service: str


@dataclass(frozen=True)
class AgentNote:
    """What one agent's answer to GET_NUMBER taught: its health, and its cached stock."""

    supplier_id: int
    fault: str | None = None  # the agent's own fault; None when it answered
    mark_ok: bool = False  # answered, and its row should say so
    stock: StockKey | None = None  # one fewer (or none, with `empty`) of this stock line
    empty: bool = False


async def note_answers(session: AsyncSession, notes: Iterable[AgentNote], now: dt.datetime) -> None:
    """Write what agents' answers taught: health, then stock, supplier by supplier in id
    order (the lock order of core/db.py). Each stock change is one relative UPDATE
    (`count - 1 WHERE count > 0`), so concurrent rentals never read-then-write a count."""
    for note in sorted(notes, key=lambda n: n.supplier_id):
        if note.fault is not None:
            await repo.mark_fault(session, note.supplier_id, note.fault, now)
        elif note.mark_ok:
            await repo.mark_ok(session, note.supplier_id, now)
        if note.stock is not None:
            await repo.adjust_stock(
                session,
                note.supplier_id,
                note.stock.country,
                note.stock.operator,
                note.stock.service,
                zero=note.empty,
            )


def needs_ok_mark(failures: int, last_ok_at: dt.datetime | None, now: dt.datetime) -> bool:
    """Whether a good answer must be written: after faults, or when last_ok_at is stale."""
    if failures > 0 or last_ok_at is None:
        return True
    return (now - last_ok_at).total_seconds() >= HEALTH_REFRESH_SECONDS


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

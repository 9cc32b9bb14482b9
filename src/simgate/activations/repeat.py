"""Repeat reception: numbers this account bought before, rented again from the same agent."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from simgate.activations import repository as repo
from simgate.activations.errors import (
    NoRepeatNumbers,
    NoRepeatServices,
    RepeatExpired,
    RepeatMismatch,
)
from simgate.catalog import repository as catalog
from simgate.models import Service, Supplier


@dataclass(frozen=True)
class RepeatableNumber:
    service: Service
    phone: str
    supplier_id: int
    last_used: dt.datetime


async def repeatable(
    session: AsyncSession, account_id: int, now: dt.datetime, window_days: int
) -> list[RepeatableNumber]:
    """Numbers still inside the repeat window whose agent is enabled."""
    services = {s.id: s for s in await catalog.services(session)}
    found = []
    oldest = now - dt.timedelta(days=window_days)
    for service_id, phone, supplier_id, _country, last_used in await repo.sold_numbers(
        session, account_id
    ):
        supplier = await session.get(Supplier, supplier_id)
        if supplier is None or not supplier.enabled or last_used < oldest:
            continue
        found.append(RepeatableNumber(services[service_id], phone, supplier_id, last_used))
    return found


async def repeat_services(
    session: AsyncSession, account_id: int, now: dt.datetime, window_days: int
) -> list[Service]:
    """getService: services with at least one number to repeat."""
    numbers = await repeatable(session, account_id, now, window_days)
    unique = {n.service.id: n.service for n in numbers}
    if not unique:
        raise NoRepeatServices("nothing to repeat")
    return sorted(unique.values(), key=lambda s: s.position)


async def repeat_numbers(
    session: AsyncSession, account_id: int, service: Service, now: dt.datetime, window_days: int
) -> list[str]:
    """getServiceNumber: the numbers of one service that can be rented again."""
    numbers = [
        n.phone
        for n in await repeatable(session, account_id, now, window_days)
        if n.service.id == service.id
    ]
    if not numbers:
        raise NoRepeatNumbers("no numbers to repeat for this service")
    return sorted(set(numbers))


async def repeat_source(
    session: AsyncSession,
    account_id: int,
    service: Service,
    phone: str,
    now: dt.datetime,
    window_days: int,
) -> tuple[int, int]:
    """(supplier, country) to ask for a repeat of `phone`; refuses numbers not this account's."""
    history = [
        (sup, country, last)
        for s, p, sup, country, last in await repo.sold_numbers(session, account_id)
        if s == service.id and p == phone
    ]
    if not history:
        raise RepeatMismatch("this number was not rented for this service")
    supplier_id, country, last_used = max(history, key=lambda h: h[2])
    if last_used < now - dt.timedelta(days=window_days):
        raise RepeatExpired("the number's repeat window has passed")
    return supplier_id, country

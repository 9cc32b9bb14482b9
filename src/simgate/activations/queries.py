"""Whole reads over an account's rentals for the buyer dialects: each opens its own read
scope, so a dialect asks a question and never holds a session."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from simgate.activations import repeat
from simgate.activations import repository as activations_repo
from simgate.activations import service as activations
from simgate.activations.errors import ActivationNotFound, NoRepeatNumbers, RepeatMismatch
from simgate.activations.states import OPEN_STATES
from simgate.catalog import repository as catalog
from simgate.core.db import Database
from simgate.models import Activation, Service


async def repeat_services(
    db: Database, account_id: int, now: dt.datetime, window_days: int
) -> list[Service]:
    """Services with at least one number this account can rent again (NoRepeatServices: none)."""
    async with db.read() as session:
        return await repeat.repeat_services(session, account_id, now, window_days)


async def repeat_numbers(
    db: Database, account_id: int, service_name: str, now: dt.datetime, window_days: int
) -> list[str]:
    """This account's numbers of one service that can be rented again; NoRepeatNumbers when
    there are none, or when the catalog knows no such service."""
    async with db.read() as session:
        service = await catalog.service_by_name(session, service_name)
        if service is None:
            raise NoRepeatNumbers(f"no service {service_name!r}")
        return await repeat.repeat_numbers(session, account_id, service, now, window_days)


async def repeat_source(
    db: Database,
    account_id: int,
    service_name: str,
    phone: str,
    now: dt.datetime,
    window_days: int,
) -> tuple[Service, int, int]:
    """(service, supplier, country) to ask for a repeat of `phone`; RepeatMismatch when the
    catalog knows no such service or the number was not this account's for it."""
    async with db.read() as session:
        service = await catalog.service_by_name(session, service_name)
        if service is None:
            raise RepeatMismatch(f"no service {service_name!r}")
        supplier_id, country = await repeat.repeat_source(
            session, account_id, service, phone, now, window_days
        )
    return service, supplier_id, country


async def rental(
    db: Database, account_id: int, tzid: int, now: dt.datetime
) -> activations.ActivationView:
    """One of the account's rentals with its messages, open or long closed;
    ActivationNotFound for another account's or an unknown id."""
    async with db.read() as session:
        found = await activations.views(session, account_id, now, tzid=tzid)
    if not found:
        raise ActivationNotFound(f"no activation {tzid}")
    return found[0]


@dataclass(frozen=True)
class HistoryFilter:
    service: str | None = None  # onlinesim slug or alias
    states: tuple[str, ...] = ()
    since: dt.datetime | None = None
    until: dt.datetime | None = None


@dataclass(frozen=True)
class HistoryPage:
    rows: list[tuple[Activation, Service]]
    next_before: int | None  # pass as `before_id` for the next page; None: this was the last


async def history(
    db: Database, account_id: int, wanted: HistoryFilter, before_id: int | None, limit: int
) -> HistoryPage:
    """A page of the account's rentals, newest first; an unknown service matches nothing."""
    async with db.read() as session:
        service_id = None
        if wanted.service:
            service = await catalog.service_by_name(session, wanted.service)
            if service is None:
                return HistoryPage([], None)
            service_id = service.id
        rows = await activations_repo.history_page(
            session,
            account_id,
            before_id=before_id,
            limit=limit + 1,
            service_id=service_id,
            states=list(wanted.states),
            since=wanted.since,
            until=wanted.until,
        )
    more = len(rows) > limit
    rows = rows[:limit]
    return HistoryPage(rows, rows[-1][0].id if more and rows else None)


async def open_rentals(
    db: Database, account_id: int, now: dt.datetime
) -> list[activations.ActivationView]:
    """The account's rentals still open (waiting for a number, a first or a next SMS)."""
    async with db.read() as session:
        found = await activations.views(session, account_id, now, recent_seconds=0)
    return [view for view in found if view.activation.state in OPEN_STATES]

"""The suppliers' background job: poll each agent's stock (GET_SERVICES) and keep its health
(a fault counts against it and makes it rest; a good poll ends the rest)."""

from __future__ import annotations

import datetime as dt
import logging

from simgate.core import side_by_side
from simgate.core.clock import Clock
from simgate.core.db import Database
from simgate.core.settings import Settings
from simgate.models import Supplier
from simgate.suppliers import repository as repo
from simgate.suppliers import service
from simgate.suppliers.client import AgentClient, AgentError

log = logging.getLogger(__name__)

POLL_LEASE_SECONDS = 30
# GET_SERVICES calls in flight at once (`poll_stock`).
POLLS_AT_ONCE = 16


async def poll_stock(db: Database, agents: AgentClient, settings: Settings, clock: Clock) -> int:
    """GET_SERVICES from every supplier whose stock is older than the poll interval.

    The polls run side by side, POLLS_AT_ONCE at a time: one after another, an agent that
    does not answer would keep every agent after it stale for its timeout, and the worker's
    other jobs (closing expired rentals among them) waiting behind the whole round.
    """
    now = clock.now()
    async with db.read() as session:
        due = await repo.due_for_poll(
            session, now - dt.timedelta(seconds=settings.stock_poll_seconds)
        )
    # One supplier's bad stock (a failure of its own) must not keep the others stale either.
    return await side_by_side.each(
        due,
        lambda supplier_id: _poll_one(db, agents, clock, supplier_id),
        at_once=POLLS_AT_ONCE,
        log=log,
        what="stock poll of supplier",
    )


async def _poll_one(db: Database, agents: AgentClient, clock: Clock, supplier_id: int) -> int:
    now = clock.now()
    async with db.transaction() as session:
        until = now + dt.timedelta(seconds=POLL_LEASE_SECONDS)
        if not await repo.claim_poll(session, supplier_id, now, until):
            return 0
        supplier = await session.get(Supplier, supplier_id)
        assert supplier is not None
        endpoint = service.endpoint(supplier)
    try:
        lines = await agents.get_services(endpoint)
    except AgentError as exc:
        async with db.transaction() as session:
            # The fault is counted in the UPDATE itself, as getNum counts its agents' faults:
            # a rental counting one meanwhile is not lost.
            await repo.mark_fault(session, supplier_id, f"GET_SERVICES: {exc}", clock.now())
            await repo.end_poll(session, supplier_id, clock.now())
        log.warning("stock poll of supplier %s failed: %s", supplier_id, exc)
        return 0
    async with db.transaction() as session:
        supplier = await session.get(Supplier, supplier_id)
        if supplier is not None:
            await service.store_stock(session, supplier, lines, clock.now())
    return 1

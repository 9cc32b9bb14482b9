"""One pass of each background job. Each item is its own transaction, claimed with a
conditional UPDATE, so any number of workers can run side by side and a killed one loses
nothing: its claims time out and another worker takes them."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable

from simgate.accounts import mailer, throttle
from simgate.activations import flows
from simgate.activations import repository as activations_repo
from simgate.activations import service as activations
from simgate.activations.lifecycle import FINISH_KIND
from simgate.core import jsonutil
from simgate.delivery import tasks as delivery_tasks
from simgate.forwarding import tasks as forwarding_tasks
from simgate.hub.context import HubContext
from simgate.models import Supplier
from simgate.outbox import repository as outbox
from simgate.suppliers import repository as suppliers_repo
from simgate.suppliers import service as suppliers
from simgate.suppliers.client import AgentError

log = logging.getLogger(__name__)

BATCH = 100
MAX_RETRY_SECONDS = 300


async def poll_stock(ctx: HubContext) -> int:
    """GET_SERVICES from every supplier whose stock is older than the poll interval."""
    now = ctx.clock.now()
    async with ctx.db.read() as session:
        due = await suppliers_repo.due_for_poll(
            session, now - dt.timedelta(seconds=ctx.settings.stock_poll_seconds)
        )
    done = 0
    for supplier_id in due:
        try:
            done += await _poll_one(ctx, supplier_id)
        except Exception:  # one supplier's bad stock must not keep the others stale
            log.exception("stock poll of supplier %s failed", supplier_id)
    return done


async def _poll_one(ctx: HubContext, supplier_id: int) -> int:
    now = ctx.clock.now()
    async with ctx.db.transaction() as session:
        until = now + dt.timedelta(seconds=30)
        if not await suppliers_repo.claim_poll(session, supplier_id, now, until):
            return 0
        supplier = await session.get(Supplier, supplier_id)
        assert supplier is not None
        endpoint = suppliers.endpoint(supplier)
    try:
        lines = await ctx.agents.get_services(endpoint)
    except AgentError as exc:
        async with ctx.db.transaction() as session:
            supplier = await session.get(Supplier, supplier_id)
            if supplier is not None:
                suppliers.record_failure(supplier, f"GET_SERVICES: {exc}", ctx.clock.now())
                supplier.last_poll_at = ctx.clock.now()
                supplier.poll_locked_until = None
        log.warning("stock poll of supplier %s failed: %s", supplier_id, exc)
        return 0
    async with ctx.db.transaction() as session:
        supplier = await session.get(Supplier, supplier_id)
        if supplier is not None:
            await suppliers.store_stock(session, supplier, lines, ctx.clock.now())
    return 1


async def drain_outbox(ctx: HubContext) -> int:
    """Perform due outbox messages (FINISH_ACTIVATION), rescheduling failures with backoff."""
    now = ctx.clock.now()
    async with ctx.db.read() as session:
        ids = await outbox.due_ids(session, now, BATCH)
    sent = 0
    for message_id in ids:
        sent += await _send_one(ctx, message_id)
    return sent


async def _send_one(ctx: HubContext, message_id: int) -> int:
    async with ctx.db.transaction() as session:
        message = await outbox.claim(session, message_id, ctx.clock.now())
        if message is None:
            return 0
        supplier = await session.get(Supplier, message.supplier_id) if message.supplier_id else None
        attempts = message.attempts
        payload = jsonutil.loads(message.payload)
        kind = message.kind
        endpoint = suppliers.endpoint(supplier) if supplier is not None else None
    error: str | None = None
    if kind != FINISH_KIND or endpoint is None:
        error = f"cannot perform {kind} without a supplier"
    else:
        try:
            await ctx.agents.finish_activation(
                endpoint, int(payload["activationId"]), int(payload["status"])
            )
        except AgentError as exc:
            error = f"{type(exc).__name__}: {exc}"
    now = ctx.clock.now()
    delay = min(MAX_RETRY_SECONDS, ctx.settings.outbox_retry_seconds * 2 ** min(attempts - 1, 5))
    async with ctx.db.transaction() as session:
        await outbox.settle(
            session, message_id, now, error=error, retry_at=now + dt.timedelta(seconds=delay)
        )
    if error:
        log.warning("outbox message %s failed (attempt %s): %s", message_id, attempts, error)
    return 0 if error else 1


async def expire_activations(ctx: HubContext) -> int:
    """Close activations whose time ran out: refund if nothing came, charge if a code did."""
    async with ctx.db.read() as session:
        ids = await activations_repo.expired_ids(session, ctx.clock.now(), BATCH)
    closed = 0
    for activation_id in ids:
        async with ctx.db.transaction() as session:
            closed += int(await activations.expire(session, activation_id, ctx.clock.now()))
    return closed


async def serve_deferred(ctx: HubContext) -> int:
    """Ask agents for numbers for deferred activations waiting in the pool."""
    async with ctx.db.read() as session:
        ids = await activations_repo.deferred_due(session, ctx.clock.now(), BATCH)
    served = 0
    for activation_id in ids:
        served += int(
            await flows.serve_deferred(ctx.db, ctx.agents, ctx.settings, ctx.clock, activation_id)
        )
    return served


JOBS: tuple[tuple[str, Callable[[HubContext], Awaitable[int]]], ...] = (
    ("stock", poll_stock),
    ("expired", expire_activations),
    ("deferred", serve_deferred),
    ("outbox", drain_outbox),
    ("delivery", delivery_tasks.run_once),
    ("forwarding", forwarding_tasks.run_once),
    ("emails", mailer.run_once),
    ("throttle", throttle.purge_expired),
)


async def run_once(ctx: HubContext) -> dict[str, int]:
    """One pass of every job (tests call this directly with a frozen clock).

    Each job runs on its own: one that fails (a database error, a bug) is logged and counts 0,
    and the jobs after it still run in this tick; the next tick tries it again.
    """
    done: dict[str, int] = {}
    for name, job in JOBS:
        try:
            done[name] = await job(ctx)
        except Exception:
            log.exception("worker job %s failed", name)
            done[name] = 0
    return done

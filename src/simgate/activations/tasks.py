"""The activations' background jobs: close rentals whose time ran out, ask agents for numbers
for deferred rentals, and perform the FINISH_ACTIVATION calls their closing queued.

Each item is its own transaction, claimed with a compare-and-set lease, so any number of
workers can run side by side and a killed one loses nothing: its leases run out and another
worker takes the items.
"""

from __future__ import annotations

import datetime as dt
import logging

from simgate.activations import flows, service
from simgate.activations import repository as repo
from simgate.activations.lifecycle import FINISH_KIND
from simgate.core import backoff, jsonutil
from simgate.core.clock import Clock
from simgate.core.db import Database
from simgate.core.settings import Settings
from simgate.models import Supplier
from simgate.outbox import repository as outbox
from simgate.suppliers import service as suppliers
from simgate.suppliers.client import AgentClient, AgentError

log = logging.getLogger(__name__)

BATCH = 100
MAX_RETRY_SECONDS = 300.0
MAX_RETRY_DOUBLINGS = 5


async def expire_activations(db: Database, clock: Clock) -> int:
    """Close activations whose time ran out: refund if nothing came, charge if a code did."""
    async with db.read() as session:
        ids = await repo.expired_ids(session, clock.now(), BATCH)
    closed = 0
    for activation_id in ids:
        async with db.transaction() as session:
            closed += int(await service.expire(session, activation_id, clock.now()))
    return closed


async def serve_deferred(
    db: Database, agents: AgentClient, settings: Settings, clock: Clock
) -> int:
    """Ask agents for numbers for deferred activations waiting in the pool."""
    async with db.read() as session:
        ids = await repo.deferred_due(session, clock.now(), BATCH)
    served = 0
    for activation_id in ids:
        served += int(await flows.serve_deferred(db, agents, settings, clock, activation_id))
    return served


async def drain_outbox(db: Database, agents: AgentClient, settings: Settings, clock: Clock) -> int:
    """Perform due outbox messages (FINISH_ACTIVATION), rescheduling failures with back-off."""
    async with db.read() as session:
        ids = await outbox.due_ids(session, clock.now(), BATCH)
    sent = 0
    for message_id in ids:
        sent += await _send_one(db, agents, settings, clock, message_id)
    return sent


async def _send_one(
    db: Database, agents: AgentClient, settings: Settings, clock: Clock, message_id: int
) -> int:
    async with db.transaction() as session:
        message = await outbox.claim(session, message_id, clock.now())
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
            await agents.finish_activation(
                endpoint, int(payload["activationId"]), int(payload["status"])
            )
        except AgentError as exc:
            error = f"{type(exc).__name__}: {exc}"
    now = clock.now()
    delay = backoff.delay(
        settings.outbox_retry_seconds,
        attempts,
        cap=MAX_RETRY_SECONDS,
        max_doublings=MAX_RETRY_DOUBLINGS,
    )
    async with db.transaction() as session:
        await outbox.settle(
            session, message_id, now, error=error, retry_at=now + dt.timedelta(seconds=delay)
        )
    if error:
        log.warning("outbox message %s failed (attempt %s): %s", message_id, attempts, error)
    return 0 if error else 1

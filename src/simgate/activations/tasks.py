"""The activations' background jobs: close rentals whose time ran out, ask agents for numbers
for deferred rentals, and perform the FINISH_ACTIVATION calls their closing queued.

Each item is its own transaction, claimed with a compare-and-set lease, so any number of
workers can run side by side and a killed one loses nothing: its leases run out and another
worker takes the items.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import enum
import logging

from simgate.activations import flows, service
from simgate.activations import repository as repo
from simgate.activations.lifecycle import FINISH_KIND
from simgate.core import backoff, jsonutil, side_by_side
from simgate.core.clock import Clock
from simgate.core.db import Database
from simgate.core.settings import Settings
from simgate.models import Supplier
from simgate.outbox import repository as outbox
from simgate.suppliers import service as suppliers
from simgate.suppliers.client import AgentClient, AgentError, AgentFault

log = logging.getLogger(__name__)

BATCH = 100
# FINISH_ACTIVATION calls in flight to one agent at once (`drain_outbox`).
AGENT_IN_FLIGHT = 4
# Deferred activations asking agents for a number at once (`serve_deferred`).
DEFERRED_AT_ONCE = 8
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
    """Ask agents for numbers for deferred activations waiting in the pool, DEFERRED_AT_ONCE
    at a time: one after another, each would wait for the agent calls of all before it."""
    async with db.read() as session:
        ids = await repo.deferred_due(session, clock.now(), BATCH)

    async def serve(activation_id: int) -> int:
        return int(await flows.serve_deferred(db, agents, settings, clock, activation_id))

    return await side_by_side.each(
        ids, serve, at_once=DEFERRED_AT_ONCE, log=log, what="deferred activation"
    )


async def drain_outbox(db: Database, agents: AgentClient, settings: Settings, clock: Clock) -> int:
    """Perform due outbox messages (FINISH_ACTIVATION), rescheduling failures with back-off.

    Each agent's messages go in a lane of their own, AGENT_IN_FLIGHT calls at a time, and the
    lanes run side by side: one after another, every call would wait for the round trips of
    all the calls before it, so agents a hundred milliseconds away would take a few finishes
    a second between them, and one agent that does not answer would hold everyone's for its
    timeout per message. A lane stops at its agent's first fault (a timeout, a refused
    connection, an HTTP error): its other messages wait for the next tick instead of each
    waiting out the same timeout.
    """
    async with db.read() as session:
        due = await outbox.due(session, clock.now(), BATCH)
    lanes: dict[int | None, list[int]] = {}
    for message_id, supplier_id in due:
        lanes.setdefault(supplier_id, []).append(message_id)
    async with asyncio.TaskGroup() as lanes_running:
        sent = [
            lanes_running.create_task(_lane(db, agents, settings, clock, ids))
            for ids in lanes.values()
        ]
    return sum(task.result() for task in sent)


async def _lane(
    db: Database, agents: AgentClient, settings: Settings, clock: Clock, message_ids: list[int]
) -> int:
    """One agent's messages, AGENT_IN_FLIGHT at a time, until they are done or it faults."""
    waiting = iter(message_ids)
    sent = 0
    faulted = False

    async def caller() -> None:
        nonlocal sent, faulted
        for message_id in waiting:  # shared: each message is taken by one caller
            if faulted:
                return
            outcome = await _send_one(db, agents, settings, clock, message_id)
            if outcome is Sent.DONE:
                sent += 1
            elif outcome is Sent.AGENT_FAULT:
                faulted = True

    async with asyncio.TaskGroup() as callers:
        for _ in range(min(AGENT_IN_FLIGHT, len(message_ids))):
            callers.create_task(caller())
    return sent


class Sent(enum.Enum):
    DONE = "done"
    FAILED = "failed"  # the agent answered with an error: rescheduled
    AGENT_FAULT = "agent fault"  # no usable answer from the agent: rescheduled
    NOT_CLAIMED = "not claimed"  # another worker has it, or it is done


async def _send_one(
    db: Database, agents: AgentClient, settings: Settings, clock: Clock, message_id: int
) -> Sent:
    async with db.transaction() as session:
        message = await outbox.claim(session, message_id, clock.now())
        if message is None:
            return Sent.NOT_CLAIMED
        supplier = await session.get(Supplier, message.supplier_id) if message.supplier_id else None
        attempts = message.attempts
        payload = jsonutil.loads(message.payload)
        kind = message.kind
        endpoint = suppliers.endpoint(supplier) if supplier is not None else None
    error: str | None = None
    outcome = Sent.DONE
    if kind != FINISH_KIND or endpoint is None:
        error, outcome = f"cannot perform {kind} without a supplier", Sent.FAILED
    else:
        try:
            await agents.finish_activation(
                endpoint, int(payload["activationId"]), int(payload["status"])
            )
        except AgentError as exc:
            error = f"{type(exc).__name__}: {exc}"
            outcome = Sent.AGENT_FAULT if isinstance(exc, AgentFault) else Sent.FAILED
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
    return outcome

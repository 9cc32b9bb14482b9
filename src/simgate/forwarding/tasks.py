"""The forwarding worker: poll each confirmed forwarding's minute balance (FORWARD_STATUS),
buy a top-up when it is low, send top-ups (FORWARD_TOP_UP) and removals (FORWARD_CANCEL), and
sweep FORWARD_SETs whose answer no hub recorded (it died in between): those are cancelled.

Each item is claimed with a conditional UPDATE in its own transaction and the agent is called
with none open, so any number of workers can run this side by side; a killed worker's claims
simply come due again.
"""

from __future__ import annotations

import datetime as dt
import logging

from simgate.forwarding import flows, service
from simgate.forwarding import repository as repo
from simgate.forwarding.states import Event, Status
from simgate.hub.context import HubContext
from simgate.models.forwarding import Forwarding
from simgate.suppliers.client import AgentError

log = logging.getLogger(__name__)

BATCH = 100


async def run_once(ctx: HubContext) -> int:
    """One pass: due polls and removals, then due payments. Returns the items done."""
    async with ctx.db.read() as session:
        checks = await repo.due_checks(session, ctx.clock.now(), BATCH)
    done = 0
    for forwarding_id in checks:
        done += await _check(ctx, forwarding_id)
    # Read after the polls: a poll that found the balance low has just created a payment.
    async with ctx.db.read() as session:
        payments = await repo.due_payments(session, ctx.clock.now(), BATCH)
    for payment_id in payments:
        done += await flows.send_payment(ctx, payment_id)
    return done


async def _check(ctx: HubContext, forwarding_id: int) -> int:
    now = ctx.clock.now()
    claim = max(flows.CLAIM_SECONDS, ctx.settings.forward_agent_timeout_seconds)
    async with ctx.db.transaction() as session:
        forwarding = await repo.claim_check(
            session, forwarding_id, now, now + dt.timedelta(seconds=claim)
        )
    if forwarding is None:
        return 0
    if forwarding.status == Status.SETTING:
        return await _sweep(ctx, forwarding)
    if forwarding.status == Status.CANCELLING:
        return await flows.cancel_on_agent(ctx, forwarding)
    async with ctx.db.transaction() as session:
        ended = await service.end_with_rental(session, forwarding.id, ctx.clock.now())
    if ended is not None:
        return await flows.cancel_on_agent(ctx, ended)
    return await _poll(ctx, forwarding)


async def _sweep(ctx: HubContext, forwarding: Forwarding) -> int:
    """A FORWARD_SET outlived its lease unrecorded: the agent may hold a forwarding nobody
    pays for or knows of, keeping its SIM out of stock. Cancel it (FORWARD_CANCEL is
    idempotent, so one that was never set costs nothing)."""
    async with ctx.db.transaction() as session:
        orphan = await repo.get(session, forwarding.id)
        assert orphan is not None
        if orphan.status != Status.SETTING:
            return 0  # its request recorded the answer after all
        if not await service.apply(session, orphan, Event.ORPHAN, ctx.clock.now()):
            return 0
    log.warning("forwarding %s: FORWARD_SET never recorded; cancelling it", forwarding.id)
    return await flows.cancel_on_agent(ctx, forwarding)


async def _poll(ctx: HubContext, forwarding: Forwarding) -> int:
    target = await flows.endpoint(ctx, ctx.db, forwarding.supplier_id)
    try:
        state = await flows.client(ctx).forward_status(target, forwarding.agent_activation_id)
    except AgentError as exc:
        async with ctx.db.transaction() as session:
            await repo.update_if(
                session, forwarding.id, Status.WORKING,
                last_error=f"FORWARD_STATUS: {type(exc).__name__}: {exc}",
                next_check_at=flows.retry_at(ctx, forwarding.attempts),
            )  # fmt: skip
        log.warning("forwarding %s: balance poll failed: %s", forwarding.id, exc)
        return 0
    async with ctx.db.transaction() as session:
        current = await repo.get(session, forwarding.id)
        assert current is not None
        await service.record_state(session, ctx.settings, current, state, ctx.clock.now())
    return 1

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

from simgate.core import side_by_side
from simgate.forwarding import flows, service
from simgate.forwarding import repository as repo
from simgate.forwarding.deps import ForwardingDeps
from simgate.forwarding.states import Event, Status
from simgate.models.forwarding import Forwarding
from simgate.suppliers.client import AgentError

log = logging.getLogger(__name__)

BATCH = 100
AT_ONCE = 8  # items calling agents at once


async def run_once(deps: ForwardingDeps) -> int:
    """One pass: due polls and removals, then due payments. Returns the items done."""
    async with deps.db.read() as session:
        checks = await repo.due_checks(session, deps.clock.now(), BATCH)
    # Side by side: one after another, an agent that does not answer would hold every item
    # after its own for its timeout.
    done = await side_by_side.each(
        checks,
        lambda forwarding_id: _check(deps, forwarding_id),
        at_once=AT_ONCE,
        log=log,
        what="forwarding check",
    )
    # Read after the polls: a poll that found the balance low has just created a payment.
    async with deps.db.read() as session:
        payments = await repo.due_payments(session, deps.clock.now(), BATCH)
    return done + await side_by_side.each(
        payments,
        lambda payment_id: flows.send_payment(deps, payment_id),
        at_once=AT_ONCE,
        log=log,
        what="forwarding payment",
    )


async def _check(deps: ForwardingDeps, forwarding_id: int) -> int:
    now = deps.clock.now()
    claim = max(flows.CLAIM_SECONDS, deps.settings.forward_agent_timeout_seconds)
    async with deps.db.transaction() as session:
        forwarding = await repo.claim_check(
            session, forwarding_id, now, now + dt.timedelta(seconds=claim)
        )
    if forwarding is None:
        return 0
    if forwarding.status == Status.SETTING:
        return await _sweep(deps, forwarding)
    if forwarding.status == Status.CANCELLING:
        return await flows.cancel_on_agent(deps, forwarding)
    async with deps.db.transaction() as session:
        ended = await service.end_with_rental(session, forwarding.id, deps.clock.now())
    if ended is not None:
        return await flows.cancel_on_agent(deps, ended)
    return await _poll(deps, forwarding)


async def _sweep(deps: ForwardingDeps, forwarding: Forwarding) -> int:
    """A FORWARD_SET outlived its lease unrecorded: the agent may hold a forwarding nobody
    pays for or knows of, keeping its SIM out of stock. Cancel it (FORWARD_CANCEL is
    idempotent, so one that was never set costs nothing)."""
    async with deps.db.transaction() as session:
        orphan = await repo.get(session, forwarding.id)
        assert orphan is not None
        if orphan.status != Status.SETTING:
            return 0  # its request recorded the answer after all
        if not await service.apply(session, orphan, Event.ORPHAN, deps.clock.now()):
            return 0
    log.warning("forwarding %s: FORWARD_SET never recorded; cancelling it", forwarding.id)
    return await flows.cancel_on_agent(deps, forwarding)


async def _poll(deps: ForwardingDeps, forwarding: Forwarding) -> int:
    target = await flows.endpoint(deps, forwarding.supplier_id)
    try:
        state = await deps.agents.forward_status(target, forwarding.agent_activation_id)
    except AgentError as exc:
        async with deps.db.transaction() as session:
            await repo.update_if(
                session, forwarding.id, Status.WORKING,
                last_error=f"FORWARD_STATUS: {type(exc).__name__}: {exc}",
                next_check_at=flows.retry_at(deps, forwarding.attempts),
            )  # fmt: skip
        log.warning("forwarding %s: balance poll failed: %s", forwarding.id, exc)
        return 0
    async with deps.db.transaction() as session:
        current = await repo.get(session, forwarding.id)
        assert current is not None
        await service.record_state(session, deps.settings, current, state, deps.clock.now())
    return 1

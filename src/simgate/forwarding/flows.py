"""Forwarding workflows that call the agent: each records, calls with no transaction open,
then records the answer in a second transaction (the same shape as renting a number)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from simgate.activations.lifecycle import apply
from simgate.activations.states import Event as RentalEvent
from simgate.activations.states import State
from simgate.core import backoff
from simgate.forwarding import payments, service
from simgate.forwarding import repository as repo
from simgate.forwarding.deps import ForwardingDeps
from simgate.forwarding.errors import ForwardFinished, ForwardNotConfirmed, ForwardUnsupported
from simgate.forwarding.service import Changes, ForwardRequest
from simgate.forwarding.states import IN_FLIGHT, Event, IllegalTransition, Status
from simgate.models import Activation, Supplier
from simgate.models.forwarding import Forwarding
from simgate.suppliers.client import AgentError, AgentRefused, Endpoint

log = logging.getLogger(__name__)

CLAIM_SECONDS = 60.0
MAX_RETRY_SECONDS = 300.0

# What a rental asked for with forwarding becomes when the forwarding cannot be set.
_CANCEL_EVENTS = {
    State.NUM_WAIT.value: RentalEvent.CLOSE_EMPTY,
    State.NUM_ANSWER.value: RentalEvent.REFUND,
}


async def endpoint(deps: ForwardingDeps, supplier_id: int) -> Endpoint:
    """The agent's endpoint with the forwarding timeout (the network answers AT+CCFC slowly)."""
    async with deps.db.read() as session:
        supplier = await session.get(Supplier, supplier_id)
    assert supplier is not None
    return Endpoint(supplier.url, supplier.key, deps.settings.forward_agent_timeout_seconds)


async def attach(
    deps: ForwardingDeps, activation: Activation, request: ForwardRequest
) -> Forwarding:
    """getNum with forward_number: the agent sets the forwarding on the SIM just rented.

    The forwarding is recorded (SETTING) before FORWARD_SET goes out, so a hub that dies
    before recording the answer leaves a row the worker cancels. An agent that cannot (or an
    older one that knows no FORWARD_SET) costs the buyer nothing: the rental is closed and
    refunded, and ForwardUnsupported is raised.
    """
    assert activation.supplier_id is not None and activation.agent_activation_id is not None
    agent_id = activation.agent_activation_id
    async with deps.db.transaction() as session:
        forwarding = await service.create(
            session, deps.settings, activation, request, agent_id, deps.clock.now()
        )
    target = await endpoint(deps, activation.supplier_id)
    try:
        await deps.agents.forward_set(target, agent_id, request.number, request.clean_call)
    except AgentError as exc:
        # Refused: nothing was set. Otherwise it may have been set before the answer was lost.
        event = Event.SET_REFUSED if isinstance(exc, AgentRefused) else Event.SET_UNKNOWN
        await _after_set(deps, forwarding.id, event)
        await _cancel_rental(deps, activation.id)
        raise ForwardUnsupported(f"the agent did not set the forwarding: {exc}") from exc
    return await _after_set(deps, forwarding.id, Event.SET)


async def _after_set(
    deps: ForwardingDeps, forwarding_id: int, event: Event, **values: Any
) -> Forwarding:
    """Record a FORWARD_SET's outcome; if the forwarding was removed meanwhile (or taken for
    orphaned), the set may have landed after the cancel: cancel it on the agent again."""
    now = deps.clock.now()
    async with deps.db.transaction() as session:
        forwarding = await repo.get(session, forwarding_id)
        assert forwarding is not None
        # Only from the in-flight status this set left; anything else was done meanwhile.
        applied = forwarding.status in IN_FLIGHT and await service.apply(
            session, forwarding, event, now, next_check_at=now, attempts=0, **values
        )
        landed = not applied and await service.set_landed(session, forwarding_id, now)
    if (applied and event is Event.SET_UNKNOWN) or landed:
        await _cancel_now(deps, forwarding_id)
    return forwarding


async def _cancel_now(deps: ForwardingDeps, forwarding_id: int) -> None:
    """Send the FORWARD_CANCEL that is due now, unless a worker already took it."""
    now = deps.clock.now()
    async with deps.db.transaction() as session:
        until = now + dt.timedelta(seconds=CLAIM_SECONDS)
        claimed = await repo.claim_check(session, forwarding_id, now, until)
    if claimed is not None and claimed.status == Status.CANCELLING:
        await cancel_on_agent(deps, claimed)


async def _cancel_rental(deps: ForwardingDeps, activation_id: int) -> None:
    async with deps.db.transaction() as session:
        activation = await session.get(Activation, activation_id)
        event = _CANCEL_EVENTS.get(activation.state) if activation is not None else None
        if activation is not None and event is not None:
            await apply(session, activation, event, deps.clock.now())


async def confirm(deps: ForwardingDeps, account_id: int, tzid: int) -> Forwarding:
    """setForwardStatusEnable: active only when the agent reports the forwarding in force."""
    async with deps.db.read() as session:
        forwarding = await service.owned_by_tzid(session, account_id, tzid)
    if forwarding.confirmed and forwarding.status == Status.WORKING:
        return forwarding
    target = await endpoint(deps, forwarding.supplier_id)
    try:
        state = await deps.agents.forward_status(target, forwarding.agent_activation_id)
    except AgentError as exc:
        raise ForwardNotConfirmed(f"the agent did not answer: {exc}") from exc
    async with deps.db.transaction() as session:
        forwarding = await service.owned_by_tzid(session, account_id, tzid)
        await service.confirm(session, forwarding, state, deps.clock.now())
        await payments.plan_top_up(session, deps.settings, forwarding, deps.clock.now())
    return forwarding


async def change_number(
    deps: ForwardingDeps, account_id: int, forwarding_id: int, number: str
) -> Forwarding:
    """forwardingSave forward_number: status 4 while the agent re-points the forwarding."""
    now = deps.clock.now()
    async with deps.db.transaction() as session:
        forwarding = await service.owned(session, account_id, forwarding_id)
        lease = service.set_lease(deps.settings, now)
        try:
            moved = await service.apply(
                session, forwarding, Event.REPLACE, now, next_check_at=lease
            )
        except IllegalTransition:
            moved = False
        if not moved:
            raise ForwardNotConfirmed(f"forwarding {forwarding_id} cannot change now")
    target = await endpoint(deps, forwarding.supplier_id)
    try:
        await deps.agents.forward_set(
            target, forwarding.agent_activation_id, number, forwarding.clean_call
        )
    except AgentError as exc:
        await _after_set(deps, forwarding_id, Event.REPLACE_FAILED)
        raise ForwardNotConfirmed(f"the agent did not move the forwarding: {exc}") from exc
    forwarding = await _after_set(deps, forwarding_id, Event.REPLACED, forward_number=number)
    if forwarding.status != Status.WORKING:
        raise ForwardFinished(f"forwarding {forwarding_id} was removed")
    return forwarding


async def save(
    deps: ForwardingDeps, account_id: int, forwarding_id: int, number: str | None, changes: Changes
) -> None:
    """forwardingSave: a new forward number first (the agent re-points the forwarding), then
    the thresholds and the `auto` flag."""
    async with deps.db.read() as session:
        current = await service.owned(session, account_id, forwarding_id)
    if number is not None and number != current.forward_number:
        await change_number(deps, account_id, forwarding_id, number)
    async with deps.db.transaction() as session:
        await service.save(session, account_id, forwarding_id, changes, deps.clock.now())


async def remove(deps: ForwardingDeps, account_id: int, forwarding_id: int) -> None:
    """forwardingRemove: stop payments now, and tell the agent at once if it answers (the
    worker keeps trying otherwise)."""
    async with deps.db.transaction() as session:
        await service.remove(session, account_id, forwarding_id, deps.clock.now())
    await _cancel_now(deps, forwarding_id)


async def cancel_on_agent(deps: ForwardingDeps, forwarding: Forwarding) -> int:
    """FORWARD_CANCEL for a removed forwarding (claimed by the caller); 1 when done."""
    target = await endpoint(deps, forwarding.supplier_id)
    error: str | None = None
    try:
        await deps.agents.forward_cancel(target, forwarding.agent_activation_id)
    except AgentRefused as exc:
        # The agent no longer knows the activation: nothing is forwarded there any more.
        log.warning("agent refused FORWARD_CANCEL for forwarding %s: %s", forwarding.id, exc)
    except AgentError as exc:
        error = f"{type(exc).__name__}: {exc}"
    async with deps.db.transaction() as session:
        if error is None:
            current = await repo.get(session, forwarding.id)
            assert current is not None
            if current.status == Status.CANCELLING:
                await service.apply(session, current, Event.CANCELLED, deps.clock.now())
        else:
            retry = retry_at(deps, forwarding.attempts)
            await repo.update_if(
                session, forwarding.id, Status.CANCELLING, last_error=error, next_check_at=retry
            )
    return int(error is None)


async def send_payment(deps: ForwardingDeps, payment_id: int) -> int:
    """FORWARD_TOP_UP for one payment; the same paymentId on every retry, so the agent
    credits it once and the hold is captured once. 1 when credited."""
    now = deps.clock.now()
    async with deps.db.transaction() as session:
        claim = max(CLAIM_SECONDS, deps.settings.forward_agent_timeout_seconds)
        until = now + dt.timedelta(seconds=claim)
        payment = await repo.claim_payment(session, payment_id, now, until)
        if payment is None:
            return 0
        forwarding = await session.get(Forwarding, payment.forwarding_id)
        assert forwarding is not None
    target = await endpoint(deps, forwarding.supplier_id)
    try:
        minutes = await deps.agents.forward_top_up(
            target, forwarding.agent_activation_id, payment.id, payment.minutes
        )
    except AgentRefused as exc:
        async with deps.db.transaction() as session:
            await payments.refuse(session, payment_id, str(exc), deps.clock.now())
        return 0
    except AgentError as exc:
        async with deps.db.transaction() as session:
            reason = f"{type(exc).__name__}: {exc}"
            await payments.postpone(session, payment_id, reason, retry_at(deps, payment.attempts))
        return 0
    async with deps.db.transaction() as session:
        await payments.credit(session, payment_id, minutes, deps.clock.now())
    return 1


def retry_at(deps: ForwardingDeps, attempts: int) -> dt.datetime:
    """When a call the agent missed is tried again, after its `attempts`-th try."""
    delay = backoff.delay(
        deps.settings.forward_retry_seconds, attempts, cap=MAX_RETRY_SECONDS, max_doublings=5
    )
    return deps.clock.now() + dt.timedelta(seconds=delay)

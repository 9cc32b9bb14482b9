"""Forwarding workflows that call the agent: each records, calls with no transaction open,
then records the answer in a second transaction (the same shape as renting a number)."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging

from simgate.activations.lifecycle import apply
from simgate.activations.states import Event, State
from simgate.core.db import Database, mark_account_changed
from simgate.forwarding import repository as repo
from simgate.forwarding import service
from simgate.forwarding.errors import ForwardNotConfirmed, ForwardUnsupported
from simgate.forwarding.repository import BLOCKED, CANCELLING, REPLACING, WORKING
from simgate.forwarding.service import ForwardRequest
from simgate.hub.context import HubContext
from simgate.models import Activation, Supplier
from simgate.models.forwarding import Forwarding
from simgate.suppliers.client import AgentError, AgentRefused, Endpoint
from simgate.suppliers.forwarding_client import ForwardingClient

log = logging.getLogger(__name__)

CLAIM_SECONDS = 60.0

# What a rental asked for with forwarding becomes when the forwarding cannot be set.
_CANCEL_EVENTS = {State.NUM_WAIT.value: Event.CLOSE_EMPTY, State.NUM_ANSWER.value: Event.REFUND}


def client(ctx: HubContext) -> ForwardingClient:
    return ForwardingClient(ctx.http, ctx.settings.user_agent)


async def endpoint(ctx: HubContext, db: Database, supplier_id: int) -> Endpoint:
    """The agent's endpoint with the forwarding timeout (the network answers AT+CCFC slowly)."""
    async with db.read() as session:
        supplier = await session.get(Supplier, supplier_id)
    assert supplier is not None
    return Endpoint(supplier.url, supplier.key, ctx.settings.forward_agent_timeout_seconds)


async def attach(ctx: HubContext, activation: Activation, request: ForwardRequest) -> Forwarding:
    """getNum with forward_number: the agent sets the forwarding on the SIM just rented.

    An agent that cannot (or an older one that knows no FORWARD_SET) costs the buyer nothing:
    the rental is closed and refunded, and ForwardUnsupported is raised.
    """
    assert activation.supplier_id is not None and activation.agent_activation_id is not None
    agent_id = activation.agent_activation_id
    target = await endpoint(ctx, ctx.db, activation.supplier_id)
    try:
        await client(ctx).forward_set(target, agent_id, request.number, request.clean_call)
    except AgentError as exc:
        if not isinstance(exc, AgentRefused):
            # It may have been set before the answer was lost: undo it, as far as we can.
            with contextlib.suppress(AgentError):
                await client(ctx).forward_cancel(target, agent_id)
        await _cancel_rental(ctx, activation.id)
        raise ForwardUnsupported(f"the agent did not set the forwarding: {exc}") from exc
    async with ctx.db.transaction() as session:
        return await service.create(
            session, ctx.settings, activation, request, agent_id, ctx.clock.now()
        )


async def _cancel_rental(ctx: HubContext, activation_id: int) -> None:
    async with ctx.db.transaction() as session:
        activation = await session.get(Activation, activation_id)
        event = _CANCEL_EVENTS.get(activation.state) if activation is not None else None
        if activation is not None and event is not None:
            await apply(session, activation, event, ctx.clock.now())


async def confirm(ctx: HubContext, account_id: int, tzid: int) -> Forwarding:
    """setForwardStatusEnable: active only when the agent reports the forwarding in force."""
    async with ctx.db.read() as session:
        forwarding = await service.owned_by_tzid(session, account_id, tzid)
    if forwarding.confirmed and forwarding.status == WORKING:
        return forwarding
    target = await endpoint(ctx, ctx.db, forwarding.supplier_id)
    try:
        state = await client(ctx).forward_status(target, forwarding.agent_activation_id)
    except AgentError as exc:
        raise ForwardNotConfirmed(f"the agent did not answer: {exc}") from exc
    async with ctx.db.transaction() as session:
        forwarding = await service.owned_by_tzid(session, account_id, tzid)
        service.confirm(session, forwarding, state, ctx.clock.now())
        await service.plan_top_up(session, ctx.settings, forwarding, ctx.clock.now())
    return forwarding


async def change_number(
    ctx: HubContext, account_id: int, forwarding_id: int, number: str
) -> Forwarding:
    """forwardingSave forward_number: status 4 while the agent re-points the forwarding."""
    async with ctx.db.transaction() as session:
        forwarding = await service.owned(session, account_id, forwarding_id)
        if forwarding.status not in (WORKING, BLOCKED):
            raise ForwardNotConfirmed(f"forwarding {forwarding_id} cannot change now")
        previous = forwarding.status
        forwarding.status = REPLACING
        mark_account_changed(session, account_id)
    target = await endpoint(ctx, ctx.db, forwarding.supplier_id)
    error: AgentError | None = None
    try:
        await client(ctx).forward_set(
            target, forwarding.agent_activation_id, number, forwarding.clean_call
        )
    except AgentError as exc:
        error = exc
    async with ctx.db.transaction() as session:
        forwarding = await service.owned(session, account_id, forwarding_id)
        forwarding.status = previous if error else WORKING
        if error is None:
            forwarding.forward_number = number
        forwarding.updated_at = ctx.clock.now()
        mark_account_changed(session, account_id)
    if error is not None:
        raise ForwardNotConfirmed(f"the agent did not move the forwarding: {error}")
    return forwarding


async def remove(ctx: HubContext, account_id: int, forwarding_id: int) -> None:
    """forwardingRemove: stop payments now, and tell the agent at once if it answers (the
    worker keeps trying otherwise)."""
    now = ctx.clock.now()
    async with ctx.db.transaction() as session:
        await service.remove(session, account_id, forwarding_id, now)
    async with ctx.db.transaction() as session:
        until = now + dt.timedelta(seconds=CLAIM_SECONDS)
        claimed = await repo.claim_check(session, forwarding_id, now, until)
    if claimed is not None and claimed.status == CANCELLING:
        await cancel_on_agent(ctx, claimed)


async def cancel_on_agent(ctx: HubContext, forwarding: Forwarding) -> int:
    """FORWARD_CANCEL for a removed forwarding (claimed by the caller); 1 when done."""
    target = await endpoint(ctx, ctx.db, forwarding.supplier_id)
    error: str | None = None
    try:
        await client(ctx).forward_cancel(target, forwarding.agent_activation_id)
    except AgentRefused as exc:
        # The agent no longer knows the activation: nothing is forwarded there any more.
        log.warning("agent refused FORWARD_CANCEL for forwarding %s: %s", forwarding.id, exc)
    except AgentError as exc:
        error = f"{type(exc).__name__}: {exc}"
    async with ctx.db.transaction() as session:
        current = await session.get(Forwarding, forwarding.id)
        assert current is not None
        if error is None:
            service.finished(session, current, ctx.clock.now())
        else:
            current.last_error = error
            current.next_check_at = retry_at(ctx, current.attempts)
    return int(error is None)


async def send_payment(ctx: HubContext, payment_id: int) -> int:
    """FORWARD_TOP_UP for one payment; the same paymentId on every retry, so the agent
    credits it once and the hold is captured once. 1 when credited."""
    now = ctx.clock.now()
    async with ctx.db.transaction() as session:
        claim = max(CLAIM_SECONDS, ctx.settings.forward_agent_timeout_seconds)
        until = now + dt.timedelta(seconds=claim)
        payment = await repo.claim_payment(session, payment_id, now, until)
        if payment is None:
            return 0
        forwarding = await session.get(Forwarding, payment.forwarding_id)
        assert forwarding is not None
    target = await endpoint(ctx, ctx.db, forwarding.supplier_id)
    try:
        minutes = await client(ctx).forward_top_up(
            target, forwarding.agent_activation_id, payment.id, payment.minutes
        )
    except AgentRefused as exc:
        async with ctx.db.transaction() as session:
            await service.refuse(session, payment_id, str(exc), ctx.clock.now())
        return 0
    except AgentError as exc:
        async with ctx.db.transaction() as session:
            reason = f"{type(exc).__name__}: {exc}"
            await service.postpone(session, payment_id, reason, retry_at(ctx, payment.attempts))
        return 0
    async with ctx.db.transaction() as session:
        await service.credit(session, payment_id, minutes, ctx.clock.now())
    return 1


def retry_at(ctx: HubContext, attempts: int) -> dt.datetime:
    delay = min(300.0, ctx.settings.forward_retry_seconds * 2 ** min(max(attempts - 1, 0), 5))
    return ctx.clock.now() + dt.timedelta(seconds=delay)

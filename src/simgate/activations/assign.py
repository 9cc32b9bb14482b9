"""Asking agents for a number and recording what they said."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from simgate.activations import repository as repo
from simgate.activations.forms import RentalForm
from simgate.activations.intake import adopt_early_sms, phone_lock
from simgate.activations.lifecycle import apply, enqueue_finish
from simgate.activations.rent import Candidate, Plan
from simgate.activations.states import Event, State
from simgate.core.db import lock_key
from simgate.core.settings import Settings
from simgate.models import Activation, Supplier
from simgate.suppliers import repository as suppliers_repo
from simgate.suppliers import service as suppliers
from simgate.suppliers.client import (
    AgentClient,
    AgentFault,
    AgentRefused,
    NoNumbers,
    NumberGranted,
)

# A deferred activation whose agents had nothing is asked again after this long.
DEFERRED_RETRY_SECONDS = 10
CANCELLED_STATUS = 4


@dataclass
class Attempt:
    candidate: Candidate
    granted: NumberGranted | None = None
    usable: bool = False  # False for a number other than the one asked for (repeat)
    error: str | None = None  # None with nothing granted means NO_NUMBERS
    # The agent's own fault (timeout, unreachable, 5xx, garbage): counts against its health.
    # An error without it is a refusal of this request, which may well be the buyer's doing.
    fault: bool = False


@dataclass
class Outcome:
    attempts: list[Attempt] = field(default_factory=list)

    @property
    def winner(self) -> Attempt | None:
        return next((a for a in self.attempts if a.usable), None)

    @property
    def agents_down(self) -> bool:
        """Every agent asked failed by its own fault: no answer about numbers at all."""
        return bool(self.attempts) and all(a.fault for a in self.attempts)


async def ask_agents(client: AgentClient, plan: Plan) -> Outcome:
    """GET_NUMBER from each candidate in turn until one hands out a usable number."""
    outcome = Outcome()
    for candidate in plan.candidates:
        attempt = Attempt(candidate)
        outcome.attempts.append(attempt)
        try:
            reply = await client.get_number(
                candidate.endpoint,
                country=plan.country_slug,
                operator=candidate.operator,
                service=plan.service_code,
                amount=candidate.amount,
                currency=candidate.currency,
                exception_phones=plan.exception_phones,
                number=plan.wanted_number,
            )
        except AgentFault as exc:
            attempt.error, attempt.fault = f"{type(exc).__name__}: {exc}", True
            continue
        except AgentRefused as exc:
            attempt.error = f"refused: {exc}"
            continue
        if isinstance(reply, NoNumbers):
            continue
        attempt.granted = reply
        attempt.usable = plan.wanted_number is None or reply.number == plan.wanted_number
        if attempt.usable:
            break
        attempt.error = f"asked for {plan.wanted_number}, got {reply.number}"
    return outcome


async def record(
    session: AsyncSession, settings: Settings, plan: Plan, outcome: Outcome, now: dt.datetime
) -> Activation | None:
    """Store what the agents answered; the activation when it got its number, else None.

    Locks are taken in the order every transaction uses: the number's phone lock, the
    activation row, then (in `_update_suppliers`) supplier rows and their stock rows.
    """
    winner = outcome.winner
    granted = winner.granted if winner is not None else None
    if winner is not None and granted is not None:
        await lock_key(session, phone_lock(winner.candidate.supplier_id, granted.number))
    activation = await repo.lock(session, plan.activation_id)
    # Expired or cancelled while we were asking: nothing to record on it.
    waiting = activation is not None and activation.state == State.INPOOL.value
    assigned = False
    if waiting and (winner is None or granted is None):
        assert activation is not None
        failure = "NO_SUPPLIERS" if outcome.agents_down else "NO_NUMBER"
        await _no_number(session, activation, now, failure)
    elif waiting and winner is not None and granted is not None:
        assert activation is not None
        assigned = await apply(
            session,
            activation,
            Event.ASSIGN,
            now,
            supplier_id=winner.candidate.supplier_id,
            agent_activation_id=granted.activation_id,
            phone=granted.number,
            number_at=now,
            requesting_until=None,
            expires_at=now + dt.timedelta(seconds=settings.activation_lifetime_seconds),
        )
        if assigned:
            await adopt_early_sms(session, activation, now)
    if winner is not None and granted is not None and not assigned:
        await _close_unused(session, winner, now)  # give back what the agent opened
    await _update_suppliers(session, plan, outcome, now)
    return activation if assigned else None


async def _no_number(
    session: AsyncSession, activation: Activation, now: dt.datetime, failure: str
) -> None:
    if activation.form == RentalForm.DEFERRED:
        # Stay in the pool; the worker asks again later.
        retry = now + dt.timedelta(seconds=DEFERRED_RETRY_SECONDS)
        await repo.set_fields(session, activation.id, requesting_until=retry)
        return
    await apply(session, activation, Event.FAIL, now, failure=failure, requesting_until=None)


async def _close_unused(session: AsyncSession, attempt: Attempt, now: dt.datetime) -> None:
    assert attempt.granted is not None
    await enqueue_finish(
        session,
        attempt.candidate.supplier_id,
        attempt.granted.activation_id,
        CANCELLED_STATUS,
        now,
        dedupe=f"unused:{attempt.candidate.supplier_id}:{attempt.granted.activation_id}",
    )


async def _update_suppliers(
    session: AsyncSession, plan: Plan, outcome: Outcome, now: dt.datetime
) -> None:
    """Health and cached stock follow every answer, so the next request skips empty agents.

    Only the agent's own faults count against its health, and only a NO_NUMBERS to a plain
    request (no prefixes to avoid, no particular number) empties its cached stock: a refusal,
    or NO_NUMBERS to a filtered request, says nothing about what other buyers could get.
    """
    plain = not plan.exception_phones and plan.wanted_number is None
    for attempt in outcome.attempts:
        supplier = await session.get(Supplier, attempt.candidate.supplier_id)
        if supplier is None:
            continue
        if attempt.granted is not None and not attempt.usable:
            await _close_unused(session, attempt, now)
        if attempt.fault:
            suppliers.record_failure(supplier, attempt.error or "fault", now)
            continue
        if attempt.error is not None and attempt.granted is None:
            continue  # refused: alive, and nothing learnt about its stock
        suppliers.record_success(supplier, now)
        if attempt.granted is None and not plain:
            continue
        await suppliers_repo.adjust_stock(
            session,
            supplier.id,
            plan.country_slug,
            attempt.candidate.operator,
            plan.service_code,
            zero=attempt.granted is None,
        )

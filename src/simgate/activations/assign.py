"""Asking agents for a number and recording what they said."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from simgate.activations import repository as repo
from simgate.activations.forms import RentalForm
from simgate.activations.intake import adopt_early_sms, phone_lock
from simgate.activations.lifecycle import apply, apply_to, enqueue_finish
from simgate.activations.rent import Candidate, Plan
from simgate.activations.states import Event, State
from simgate.core.db import Database, lock_key
from simgate.core.settings import Settings
from simgate.models import Activation
from simgate.suppliers import service as suppliers
from simgate.suppliers.client import (
    AgentClient,
    AgentFault,
    AgentRefused,
    NoNumbers,
    NumberGranted,
)
from simgate.suppliers.service import AgentNote, StockKey

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


async def ask_agents(client: AgentClient, plan: Plan, db: Database) -> Outcome:
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
        attempt.error = await _unusable(db, plan, candidate, reply)
        attempt.usable = attempt.error is None
        if attempt.usable:
            break
    return outcome


async def _unusable(
    db: Database, plan: Plan, candidate: Candidate, granted: NumberGranted
) -> str | None:
    """Why the buyer cannot have the number an agent handed out, or None if it can."""
    if plan.wanted_number is not None and granted.number != plan.wanted_number:
        return f"asked for {plan.wanted_number}, got {granted.number}"
    guard = plan.repeat_guard
    if guard is None:
        return None
    # Not every used number went to the agents (rent.MAX_USED_NUMBERS_SENT): read the rest.
    async with db.read() as session:
        used = await repo.used_before(
            session,
            guard.account_id,
            guard.service_id,
            candidate.supplier_id,
            granted.number,
            since=guard.since,
        )
    return f"{granted.number} was rented by this buyer for this service before" if used else None


async def record(
    session: AsyncSession, settings: Settings, plan: Plan, outcome: Outcome, now: dt.datetime
) -> Activation | None:
    """Store what the agents answered; the activation when it got its number, else None.

    Locks, in the order of core/db.py: the number's phone lock, then the activation row
    (taken by the compare-and-set itself); holds and balances after it when the hold is
    released. The agents' health and stock are not written here: see `agent_notes`.
    """
    winner = outcome.winner
    granted = winner.granted if winner is not None else None
    for attempt in outcome.attempts:
        if attempt.granted is not None and not attempt.usable:
            await _close_unused(session, attempt, now)  # a number other than the one asked
    if winner is None or granted is None:
        activation = await repo.lock(session, plan.activation_id)
        # Expired or cancelled while we were asking: nothing to record on it.
        if activation is not None and activation.state == State.INPOOL.value:
            failure = "NO_SUPPLIERS" if outcome.agents_down else "NO_NUMBER"
            await _no_number(session, activation, now, failure)
        return None
    await lock_key(session, phone_lock(winner.candidate.supplier_id, granted.number))
    assigned = await apply_to(
        session,
        plan.activation_id,
        State.INPOOL,
        Event.ASSIGN,
        now,
        supplier_id=winner.candidate.supplier_id,
        agent_activation_id=granted.activation_id,
        phone=granted.number,
        number_at=now,
        requesting_until=None,
        expires_at=now + dt.timedelta(seconds=settings.activation_lifetime_seconds),
    )
    if assigned is None:
        await _close_unused(session, winner, now)  # give back what the agent opened
        return None
    await adopt_early_sms(session, assigned, now)
    return assigned


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


def agent_notes(plan: Plan, outcome: Outcome, now: dt.datetime) -> list[AgentNote]:
    """What each answer teaches about its agent, so the next request skips empty or dead ones.

    Only the agent's own faults count against its health, and only a NO_NUMBERS to a plain
    request (no prefixes to avoid, no particular number) empties its cached stock: a refusal,
    or NO_NUMBERS to a filtered request, says nothing about what other buyers could get.
    """
    plain = not plan.exception_phones and plan.wanted_number is None
    notes = []
    for attempt in outcome.attempts:
        candidate = attempt.candidate
        if attempt.fault:
            notes.append(AgentNote(candidate.supplier_id, fault=attempt.error or "fault"))
            continue
        if attempt.error is not None and attempt.granted is None:
            continue  # refused: alive, and nothing learnt about its stock
        learnt = attempt.granted is not None or plain
        stock = StockKey(plan.country_slug, candidate.operator, plan.service_code)
        note = AgentNote(
            candidate.supplier_id,
            mark_ok=suppliers.needs_ok_mark(candidate.failures, candidate.last_ok_at, now),
            stock=stock if learnt else None,
            empty=attempt.granted is None,
        )
        if note.mark_ok or note.stock is not None:
            notes.append(note)
    return notes

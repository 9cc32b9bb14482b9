"""What a buyer (or operator, or the clock) does to an existing activation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from simgate.activations import repository as repo
from simgate.activations.errors import ActivationNotFound, CannotComplete, CodeReceived
from simgate.activations.forms import RentalForm
from simgate.activations.lifecycle import apply
from simgate.activations.states import (
    FINAL_STATES,
    Event,
    IllegalTransition,
    State,
    closing_event,
)
from simgate.core import validate
from simgate.core.db import mark_account_changed
from simgate.models import Activation, InboundSms, Service


async def owned(
    session: AsyncSession, account_id: int, tzid: int, *, for_update: bool = False
) -> Activation:
    """The account's activation; another account's tzid is as unknown as a missing one.

    `for_update` locks the row until commit: every change to a rental goes through that lock
    (see `repo.lock`), so a decision is taken on the state as it really is.
    """
    activation = await repo.get_owned(session, account_id, tzid, for_update=for_update)
    if activation is None or activation.state == State.FAILED.value:
        raise ActivationNotFound(f"no activation {tzid}")
    return activation


async def confirm(
    session: AsyncSession, account_id: int, tzid: int, now: dt.datetime, *, ban: bool = False
) -> Activation:
    """setOperationOk: close the activation (sold if any SMS came, refunded if none)."""
    activation = await owned(session, account_id, tzid, for_update=True)
    state = State(activation.state)
    if state in FINAL_STATES:
        return activation  # a retried confirm changes nothing
    if ban:
        activation.banned = True
    if state == State.INPOOL:
        if activation.requesting_until is not None and activation.requesting_until > now:
            raise CannotComplete("a number is being requested for this activation")
        done = await apply(session, activation, Event.CANCEL_POOL, now, banned=activation.banned)
    else:
        has_sms = await repo.last_seq(session, activation.id) > 0
        done = await apply(
            session, activation, closing_event(has_sms), now, banned=activation.banned
        )
    if not done:
        raise CannotComplete("the activation changed meanwhile; ask again")
    return activation


async def cancel(session: AsyncSession, account_id: int, tzid: int, now: dt.datetime) -> Activation:
    """Close a rental that received no SMS, refunded (idempotent); CodeReceived once one came:
    the buyer then pays for it and may only finish it."""
    activation = await owned(session, account_id, tzid, for_update=True)
    state = State(activation.state)
    if state == State.OVER_OK or (
        state not in FINAL_STATES and await repo.last_seq(session, activation.id) > 0
    ):
        raise CodeReceived(f"activation {tzid} received an SMS")
    return await confirm(session, account_id, tzid, now)


async def revise(session: AsyncSession, account_id: int, tzid: int, now: dt.datetime) -> Activation:
    """setOperationRevise: the code was wrong, wait for the next SMS."""
    activation = await owned(session, account_id, tzid, for_update=True)
    if activation.state != State.NUM_ANSWER.value:
        raise CannotComplete("there is no answer to revise")
    cursor = await repo.last_seq(session, activation.id)
    if not await apply(session, activation, Event.REVISE, now, revise_cursor=cursor):
        raise CannotComplete("the activation changed meanwhile; ask again")
    return activation


async def expire(session: AsyncSession, activation_id: int, now: dt.datetime) -> bool:
    """Close one activation whose time ran out; False when it was not due (or already closed)."""
    activation = await repo.lock(session, activation_id)
    if activation is None:
        return False
    state = State(activation.state)
    if state == State.INPOOL:
        in_flight_lost = (
            activation.form != RentalForm.DEFERRED
            and activation.requesting_until is not None
            and activation.requesting_until < now
        )
        if activation.expires_at > now and not in_flight_lost:
            return False
        event = Event.FAIL if activation.form != RentalForm.DEFERRED else Event.CANCEL_POOL
        return await apply(session, activation, event, now, requesting_until=None)
    if state in FINAL_STATES or activation.expires_at > now:
        return False
    has_sms = await repo.last_seq(session, activation.id) > 0
    return await apply(session, activation, closing_event(has_sms), now)


async def refund(session: AsyncSession, activation_id: int, now: dt.datetime) -> Activation:
    """An operator refunds a rental after a problem; the agent is told status 5."""
    validate.row_id(activation_id, "activation id")
    activation = await repo.lock(session, activation_id)
    if activation is None:
        raise ActivationNotFound(f"no activation {activation_id}")
    try:
        applied = await apply(session, activation, Event.REFUND, now)
    except IllegalTransition as exc:
        raise CannotComplete(
            f"activation {activation_id} is {activation.state}; it cannot be refunded"
        ) from exc
    if not applied:
        raise CannotComplete("the activation changed meanwhile; ask again")
    return activation


@dataclass(frozen=True)
class ActivationView:
    activation: Activation
    service: Service
    messages: list[InboundSms]

    def time_limit(self) -> dt.datetime | None:
        """When the buyer's time runs out; None once the activation is closed."""
        if self.activation.state in (State.OVER_OK.value, State.OVER_EMPTY.value):
            return None
        return self.activation.expires_at

    def current_messages(self) -> list[InboundSms]:
        """Messages after the last revise: what the buyer is looking at now."""
        cursor = self.activation.revise_cursor
        return [m for m in self.messages if (m.seq or 0) > cursor]


MICROSECOND = dt.timedelta(microseconds=1)


def seconds_left(limit: dt.datetime | None, now: dt.datetime) -> int:
    """getState's `time`: seconds until `limit` (0 when there is none, or it passed)."""
    return 0 if limit is None else max(0, int((limit - now).total_seconds()))


def next_tick(limits: Iterable[dt.datetime | None], now: dt.datetime) -> dt.datetime | None:
    """The first moment (to the microsecond, as datetimes go) at which `seconds_left` of one
    of `limits` reads other than it does at `now`; None: none of them will. A reading k holds
    while the time left is in [k, k + 1), so it drops one microsecond after the fraction of a
    second above k has passed."""
    ticks = []
    for limit in limits:
        if limit is None:
            continue
        micros = (limit - now) // MICROSECOND  # exact: both are whole microseconds
        if micros >= 1_000_000:  # below one second the reading is 0, and stays 0
            ticks.append(now + (micros % 1_000_000 + 1) * MICROSECOND)
    return min(ticks, default=None)


async def views(
    session: AsyncSession,
    account_id: int,
    now: dt.datetime,
    *,
    tzid: int | None = None,
    forms: list[str] | None = None,
    descending: bool = False,
    recent_seconds: int = 15 * 60,
) -> list[ActivationView]:
    """Activations with their messages, for getState / getOperations."""
    rows = await repo.listing(
        session,
        account_id,
        tzid=tzid,
        forms=forms,
        finished_since=now - dt.timedelta(seconds=recent_seconds),
        descending=descending,
    )
    by_activation: dict[int, list[InboundSms]] = {a.id: [] for a, _ in rows}
    for sms in await repo.messages(session, list(by_activation)):
        if sms.activation_id is not None:
            by_activation[sms.activation_id].append(sms)
    return [ActivationView(a, s, by_activation[a.id]) for a, s in rows]


async def mark_shown(session: AsyncSession, account_id: int, sms_ids: list[int]) -> None:
    """getState clean=1: these messages were shown and are hidden from now on."""
    if sms_ids:
        await repo.mark_shown(session, sms_ids)
        mark_account_changed(session, account_id)

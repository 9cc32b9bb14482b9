"""Forwarding of a rented number's calls, and the minute top-ups that keep it going.

Callers own the transaction; everything here only flushes. Agent calls happen in `flows.py`
with no transaction open; what they answer is recorded here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from simgate.core.db import lock_key, mark_account_changed
from simgate.core.settings import Settings
from simgate.forwarding import payments
from simgate.forwarding import repository as repo
from simgate.forwarding.errors import (
    BadForwardNumber,
    BadMinutes,
    BadSort,
    ForwardFinished,
    ForwardNotConfirmed,
    ForwardNotFound,
)
from simgate.forwarding.states import IN_FLIGHT, Event, Status, next_status, removed
from simgate.models import Activation
from simgate.models.forwarding import Forwarding, ForwardPayment
from simgate.suppliers.forwarding_client import ForwardState

MAX_THRESHOLD_MINUTES = 50  # the spec's upper bound for forward_minutes
PAGE_SIZE = 10
# A FORWARD_SET's answer is recorded within the agent timeout; past this margin on top of it
# the hub that sent it is taken for dead and the worker cancels the forwarding.
SET_LEASE_MARGIN_SECONDS = 30.0
# Removed (CANCELLING) already reads "finished": no payment is made from that moment.
STATUS_WORDS = {
    Status.SETTING: "pending",
    Status.BLOCKED: "blocked",
    Status.FINISHED: "finished",
    Status.REPLACING: "replacing",
    Status.CANCELLING: "finished",
}


@dataclass(frozen=True)
class ForwardRequest:
    """getNum's forwarding parameters, validated."""

    number: str  # digits with the country code
    min_minutes: int = 0
    clean_call: bool = False


@dataclass(frozen=True)
class Changes:
    """forwardingSave: only the fields the buyer sent."""

    min_minutes: int | None = None
    auto_extend: bool | None = None
    max_minutes: int | None = None


def normalise_number(text: str) -> str:
    """The spec asks for the number "without +7"; +7…, 7… and 8… (11 digits) are accepted too."""
    digits = text.strip().lstrip("+")
    if not digits.isdigit() or not digits.isascii():
        raise BadForwardNumber(f"not a phone number: {text!r}")
    if len(digits) == 10:
        return "7" + digits
    if len(digits) == 11 and digits[0] in "78":
        return "7" + digits[1:]
    raise BadForwardNumber(f"a forwarding number has 10 digits, not {len(digits)}")


def check_threshold(minutes: int) -> int:
    """forward_minutes / forwardingSave minutes: 0 (no auto top-up) to 50."""
    if not 0 <= minutes <= MAX_THRESHOLD_MINUTES:
        raise BadMinutes(f"minutes must be 0..{MAX_THRESHOLD_MINUTES}")
    return minutes


def check_changes(changes: Changes) -> None:
    """forwardingSave's numbers, checked before anything is changed."""
    if changes.min_minutes is not None:
        check_threshold(changes.min_minutes)
    if changes.max_minutes is not None and changes.max_minutes < 0:
        raise BadMinutes("max_minutes cannot be negative")


def status_word(forwarding: Forwarding) -> str:
    """getState's forward_status: "active" only once the agent confirmed the forwarding."""
    if forwarding.status == Status.WORKING:
        return "active" if forwarding.confirmed else "pending"
    return STATUS_WORDS[Status(forwarding.status)]


def spec_status(forwarding: Forwarding) -> int:
    """forwardingList's status (1–5): one being set up shows as working, not yet confirmed."""
    return int(Status.WORKING) if forwarding.status == Status.SETTING else forwarding.status


def set_lease(settings: Settings, now: dt.datetime) -> dt.datetime:
    """Until when an in-flight FORWARD_SET belongs to the request that sent it."""
    seconds = settings.forward_agent_timeout_seconds + SET_LEASE_MARGIN_SECONDS
    return now + dt.timedelta(seconds=seconds)


async def apply(
    session: AsyncSession, forwarding: Forwarding, event: Event, now: dt.datetime, **values: Any
) -> bool:
    """Move `forwarding` by `event`; False (nothing done) when its status changed under us."""
    await lock_key(session, f"forwarding:{forwarding.id}")
    current = Status(forwarding.status)
    new = next_status(current, event)
    values.setdefault("updated_at", now)
    if not await repo.set_status(session, forwarding.id, current, new, **values):
        return False
    for name, value in {**values, "status": int(new)}.items():
        set_committed_value(forwarding, name, value)
    mark_account_changed(session, forwarding.account_id)
    return True


async def create(
    session: AsyncSession,
    settings: Settings,
    activation: Activation,
    request: ForwardRequest,
    agent_activation_id: int,
    now: dt.datetime,
) -> Forwarding:
    """Record a forwarding about to be sent to the agent (SETTING), before FORWARD_SET goes
    out: if the answer is never recorded, the worker finds it and cancels it on the agent."""
    assert activation.supplier_id is not None and activation.phone is not None
    forwarding = Forwarding(
        account_id=activation.account_id,
        activation_id=activation.id,
        supplier_id=activation.supplier_id,
        agent_activation_id=agent_activation_id,
        phone=activation.phone,
        forward_number=request.number,
        clean_call=request.clean_call,
        status=int(Status.SETTING),
        confirmed=False,
        min_minutes=request.min_minutes,
        max_minutes=0,  # the buyer's own cap; the operator's applies in any case
        topped_up_minutes=0,
        auto_extend=False,
        region=activation.region,
        next_check_at=set_lease(settings, now),
        attempts=0,
        created_at=now,
        updated_at=now,
    )
    session.add(forwarding)
    await session.flush()
    mark_account_changed(session, activation.account_id)
    return forwarding


async def owned(session: AsyncSession, account_id: int, forwarding_id: int) -> Forwarding:
    """The account's forwarding; another account's id is as unknown as a missing one."""
    forwarding = await repo.get_owned(session, account_id, forwarding_id)
    if forwarding is None:
        raise ForwardNotFound(f"no forwarding {forwarding_id}")
    return forwarding


async def owned_by_tzid(session: AsyncSession, account_id: int, tzid: int) -> Forwarding:
    """The forwarding set up on one of the account's activations."""
    forwarding = await repo.by_activation(session, tzid)
    if forwarding is None or forwarding.account_id != account_id:
        raise ForwardNotConfirmed(f"no forwarding on {tzid}")
    return forwarding


async def confirm(
    session: AsyncSession, forwarding: Forwarding, state: ForwardState, now: dt.datetime
) -> None:
    """setForwardStatusEnable: the agent reports the forwarding in force, to the right number."""
    # A blocked forwarding (the network dropped it) is confirmed again once it is back.
    if forwarding.status not in (Status.WORKING, Status.BLOCKED):
        raise ForwardNotConfirmed(f"forwarding {forwarding.id} is in status {forwarding.status}")
    wrong_number = state.forward_number not in (None, forwarding.forward_number)
    if not state.active or wrong_number:
        raise ForwardNotConfirmed(f"the agent does not confirm forwarding {forwarding.id}")
    noted = _noted(state, now)
    if not await apply(session, forwarding, Event.CONFIRM, now, confirmed=True, **noted):
        raise ForwardNotConfirmed(f"forwarding {forwarding.id} changed meanwhile")


async def record_state(
    session: AsyncSession,
    settings: Settings,
    forwarding: Forwarding,
    state: ForwardState,
    now: dt.datetime,
) -> ForwardPayment | None:
    """A poll's answer: store the balance; block a forwarding the SIM lost; top up if low."""
    if forwarding.status != Status.WORKING:
        return None  # removed or moved while the agent was asked: the answer is stale
    next_check = now + dt.timedelta(seconds=settings.forward_poll_seconds)
    event = Event.POLLED if state.active else Event.BLOCK
    noted = _noted(state, now)
    if not await apply(
        session, forwarding, event, now, attempts=0, last_error=None, next_check_at=next_check,
        **noted,
    ):  # fmt: skip
        return None
    if event is Event.BLOCK:
        return None
    return await payments.plan_top_up(session, settings, forwarding, now)


def _noted(state: ForwardState, now: dt.datetime) -> dict[str, Any]:
    return {
        "minutes": state.minutes,
        "balance": None if state.balance is None else str(state.balance),
        "balance_at": now,
    }


async def save(
    session: AsyncSession, account_id: int, forwarding_id: int, changes: Changes, now: dt.datetime
) -> Forwarding:
    """forwardingSave without a new number: thresholds and the `auto` flag."""
    check_changes(changes)
    forwarding = await owned(session, account_id, forwarding_id)
    await lock_key(session, f"forwarding:{forwarding.id}")
    await session.refresh(forwarding)
    if removed(Status(forwarding.status)):
        raise ForwardFinished(f"forwarding {forwarding_id} was removed")
    if changes.min_minutes is not None:
        forwarding.min_minutes = changes.min_minutes
    if changes.max_minutes is not None:
        forwarding.max_minutes = changes.max_minutes
    if changes.auto_extend is not None:
        forwarding.auto_extend = changes.auto_extend
    forwarding.updated_at = now
    mark_account_changed(session, account_id)
    return forwarding


async def remove(
    session: AsyncSession, account_id: int, forwarding_id: int, now: dt.datetime
) -> Forwarding:
    """forwardingRemove: no payment is made from now on; the agent is told by the worker."""
    forwarding = await owned(session, account_id, forwarding_id)
    await _remove(session, forwarding, now, "the forwarding was removed")
    return forwarding


async def end_with_rental(
    session: AsyncSession, forwarding_id: int, now: dt.datetime
) -> Forwarding | None:
    """A forwarding without `auto` ends with its rental, as if the buyer removed it: nobody
    pays for it any more, and its SIM goes back to the agent's stock. The forwarding, when
    this call ended it (FORWARD_CANCEL is then owed)."""
    forwarding = await repo.get(session, forwarding_id)
    if forwarding is None or forwarding.auto_extend:
        return None
    if await repo.rental_open(session, forwarding.activation_id, now):
        return None
    ended = await _remove(session, forwarding, now, "the rental ended")
    return forwarding if ended else None


async def _remove(
    session: AsyncSession, forwarding: Forwarding, now: dt.datetime, why: str
) -> bool:
    """Move `forwarding` to CANCELLING and release unsent payments; False if already removed."""
    await lock_key(session, f"forwarding:{forwarding.id}")
    while True:
        await session.refresh(forwarding)
        status = Status(forwarding.status)
        if removed(status):
            return False  # a repeated remove changes nothing
        # A FORWARD_SET still in flight could reach the agent after our FORWARD_CANCEL, so
        # the cancel waits for its answer (the flow that sent it brings the check forward)
        # or, if that hub died, for its lease to pass.
        check_at = max(forwarding.next_check_at, now) if status in IN_FLIGHT else now
        if await apply(session, forwarding, Event.REMOVE, now, next_check_at=check_at, attempts=0):
            break
    await payments.release_unsent(session, forwarding.id, why, now)
    return True


async def set_landed(session: AsyncSession, forwarding_id: int, now: dt.datetime) -> bool:
    """A FORWARD_SET answered after the forwarding was removed: owe the agent a (new)
    FORWARD_CANCEL, due now. False when the forwarding is not removed (nothing owed)."""
    forwarding = await repo.get(session, forwarding_id)
    assert forwarding is not None
    if not removed(Status(forwarding.status)):
        return False
    return await apply(session, forwarding, Event.SET_LANDED, now, next_check_at=now, attempts=0)


async def page_of(
    session: AsyncSession, account_id: int, page: int, order: list[tuple[str, bool]]
) -> tuple[int, list[Forwarding]]:
    """forwardingList: the total and one page (PAGE_SIZE rows) of the account's forwardings."""
    unknown = [name for name, _ in order if name not in repo.SORTABLE]
    if unknown:
        raise BadSort(f"cannot sort by {unknown}")
    total = await repo.count(session, account_id)
    rows = await repo.page(session, account_id, order, (page - 1) * PAGE_SIZE, PAGE_SIZE)
    return total, rows


async def payments_of(
    session: AsyncSession, account_id: int, forwarding_id: int
) -> tuple[Forwarding, list[ForwardPayment]]:
    """getForwardPaymentsList: the forwarding and its payments, oldest first."""
    forwarding = await owned(session, account_id, forwarding_id)
    return forwarding, await repo.payments(session, forwarding.id)


async def state_fields(
    session: AsyncSession, activation_ids: list[int]
) -> dict[int, tuple[str, str]]:
    """getState's (forward_status, forward_number) per activation that has a forwarding.

    Every change of a forwarding marks its account changed, so getState's cache of rendered
    items is never staler than the activations' own.
    """
    rows = await repo.for_activations(session, activation_ids)
    return {f.activation_id: (status_word(f), f.forward_number) for f in rows}

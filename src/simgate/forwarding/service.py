"""Forwarding of a rented number's calls, and the minute top-ups that keep it going.

Callers own the transaction; everything here only flushes. Agent calls happen in `flows.py`
with no transaction open; what they answer is recorded here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from simgate.core.db import lock_key, mark_account_changed
from simgate.core.money import parse_amount
from simgate.core.settings import Settings
from simgate.forwarding import repository as repo
from simgate.forwarding.errors import (
    BadForwardNumber,
    BadMinutes,
    BadSort,
    ForwardFinished,
    ForwardNotConfirmed,
    ForwardNotFound,
)
from simgate.forwarding.repository import (
    BLOCKED,
    CANCELLING,
    CREATED,
    CREDITED,
    FINISHED,
    REPLACING,
    WORKING,
)
from simgate.ledger import service as ledger
from simgate.models import Activation
from simgate.models.forwarding import Forwarding, ForwardPayment
from simgate.suppliers.forwarding_client import ForwardState

MAX_THRESHOLD_MINUTES = 50  # the spec's upper bound for forward_minutes
PAGE_SIZE = 10
# Removed (CANCELLING) already reads "finished": no payment is made from that moment.
STATUS_WORDS = {
    BLOCKED: "blocked",
    FINISHED: "finished",
    REPLACING: "replacing",
    CANCELLING: "finished",
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
    if forwarding.status == WORKING:
        return "active" if forwarding.confirmed else "pending"
    return STATUS_WORDS[forwarding.status]


async def create(
    session: AsyncSession,
    settings: Settings,
    activation: Activation,
    request: ForwardRequest,
    agent_activation_id: int,
    now: dt.datetime,
) -> Forwarding:
    """Record a forwarding the agent accepted; it waits for setForwardStatusEnable."""
    assert activation.supplier_id is not None and activation.phone is not None
    forwarding = Forwarding(
        account_id=activation.account_id,
        activation_id=activation.id,
        supplier_id=activation.supplier_id,
        agent_activation_id=agent_activation_id,
        phone=activation.phone,
        forward_number=request.number,
        clean_call=request.clean_call,
        status=WORKING,
        confirmed=False,
        min_minutes=request.min_minutes,
        max_minutes=settings.forward_max_minutes_default,
        topped_up_minutes=0,
        auto_extend=False,
        region=activation.region,
        next_check_at=now,
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


def confirm(
    session: AsyncSession, forwarding: Forwarding, state: ForwardState, now: dt.datetime
) -> None:
    """setForwardStatusEnable: the agent reports the forwarding in force, to the right number."""
    # A blocked forwarding (the network dropped it) is confirmed again once it is back.
    if forwarding.status not in (WORKING, BLOCKED):
        raise ForwardNotConfirmed(f"forwarding {forwarding.id} is in status {forwarding.status}")
    wrong_number = state.forward_number not in (None, forwarding.forward_number)
    if not state.active or wrong_number:
        raise ForwardNotConfirmed(f"the agent does not confirm forwarding {forwarding.id}")
    forwarding.confirmed = True
    forwarding.status = WORKING
    _note_state(forwarding, state, now)
    mark_account_changed(session, forwarding.account_id)


async def record_state(
    session: AsyncSession,
    settings: Settings,
    forwarding: Forwarding,
    state: ForwardState,
    now: dt.datetime,
) -> ForwardPayment | None:
    """A poll's answer: store the balance; block a forwarding the SIM lost; top up if low."""
    _note_state(forwarding, state, now)
    forwarding.attempts = 0
    forwarding.last_error = None
    forwarding.next_check_at = now + dt.timedelta(seconds=settings.forward_poll_seconds)
    if forwarding.status != WORKING:
        return None
    if not state.active:
        forwarding.status = BLOCKED
        mark_account_changed(session, forwarding.account_id)
        return None
    return await plan_top_up(session, settings, forwarding, now)


def _note_state(forwarding: Forwarding, state: ForwardState, now: dt.datetime) -> None:
    forwarding.minutes = state.minutes
    forwarding.balance = None if state.balance is None else str(state.balance)
    forwarding.balance_at = now
    forwarding.updated_at = now


def top_up_size(settings: Settings, forwarding: Forwarding) -> int:
    """Minutes the next automatic top-up buys (0: none is due or allowed)."""
    balance = forwarding.minutes
    threshold = forwarding.min_minutes
    if forwarding.status != WORKING or threshold <= 0 or balance is None or balance >= threshold:
        return 0
    size = max(settings.forward_top_up_minutes, threshold - balance)
    if forwarding.max_minutes > 0:
        size = min(size, forwarding.max_minutes - forwarding.topped_up_minutes)
    return max(size, 0)


async def plan_top_up(
    session: AsyncSession, settings: Settings, forwarding: Forwarding, now: dt.datetime
) -> ForwardPayment | None:
    """Hold the price of a top-up and record it as a created payment, when one is due."""
    await lock_key(session, f"forwarding:{forwarding.id}")
    minutes = top_up_size(settings, forwarding)
    if minutes <= 0 or await repo.has_open_payment(session, forwarding.id):
        return None
    amount = minutes * parse_amount(settings.forward_minute_price, settings.currency_exponent)
    try:
        hold_id = await ledger.hold(
            session, forwarding.account_id, amount, now, reference=f"forwarding {forwarding.id}"
        )
    except ledger.InsufficientFunds:
        forwarding.last_error = "not enough money for a top-up"
        return None
    payment = ForwardPayment(
        forwarding_id=forwarding.id,
        account_id=forwarding.account_id,
        minutes=minutes,
        amount=amount,
        hold_id=hold_id,
        status=CREATED,
        cancelled=False,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(payment)
    forwarding.topped_up_minutes += minutes
    await session.flush()
    return payment


async def _locked_payment(session: AsyncSession, payment_id: int) -> ForwardPayment:
    payment = await session.get(ForwardPayment, payment_id)
    assert payment is not None
    await lock_key(session, f"forwarding:{payment.forwarding_id}")
    await session.refresh(payment)
    return payment


async def credit(
    session: AsyncSession, payment_id: int, minutes_after: int | None, now: dt.datetime
) -> None:
    """The agent credited the payment: charge the hold (once) and note the new balance."""
    payment = await _locked_payment(session, payment_id)
    if payment.status == CREDITED or payment.cancelled:
        return
    await ledger.capture(session, payment.hold_id, now)
    payment.status = CREDITED
    payment.credited_at = now
    payment.locked_until = None
    payment.last_error = None
    forwarding = await session.get(Forwarding, payment.forwarding_id)
    assert forwarding is not None
    if minutes_after is not None:
        forwarding.minutes = minutes_after
    elif forwarding.minutes is not None:
        forwarding.minutes += payment.minutes
    forwarding.updated_at = now


async def refuse(session: AsyncSession, payment_id: int, reason: str, now: dt.datetime) -> None:
    """The agent refused the payment (so it credited nothing): give the hold back."""
    await _refuse(session, await _locked_payment(session, payment_id), reason, now)


async def postpone(
    session: AsyncSession, payment_id: int, reason: str, retry_at: dt.datetime
) -> None:
    """The agent did not answer: the same payment goes again later (same paymentId)."""
    payment = await _locked_payment(session, payment_id)
    if payment.status != CREDITED and not payment.cancelled:
        payment.next_attempt_at = retry_at
        payment.locked_until = None
        payment.last_error = reason[:500]


async def _refuse(
    session: AsyncSession, payment: ForwardPayment, reason: str, now: dt.datetime
) -> None:
    if payment.status == CREDITED or payment.cancelled:
        return
    await ledger.release(session, payment.hold_id, now)
    payment.cancelled = True
    payment.locked_until = None
    payment.last_error = reason[:500]
    forwarding = await session.get(Forwarding, payment.forwarding_id)
    assert forwarding is not None
    forwarding.topped_up_minutes -= payment.minutes


async def save(
    session: AsyncSession, account_id: int, forwarding_id: int, changes: Changes, now: dt.datetime
) -> Forwarding:
    """forwardingSave without a new number: thresholds and the `auto` flag."""
    check_changes(changes)
    forwarding = await owned(session, account_id, forwarding_id)
    if forwarding.status in (FINISHED, CANCELLING):
        raise ForwardFinished(f"forwarding {forwarding_id} was removed")
    if changes.min_minutes is not None:
        forwarding.min_minutes = changes.min_minutes
    if changes.max_minutes is not None:
        forwarding.max_minutes = changes.max_minutes
    if changes.auto_extend is not None:
        forwarding.auto_extend = changes.auto_extend
    forwarding.updated_at = now
    return forwarding


async def remove(
    session: AsyncSession, account_id: int, forwarding_id: int, now: dt.datetime
) -> Forwarding:
    """forwardingRemove: no payment is made from now on; the agent is told by the worker."""
    forwarding = await owned(session, account_id, forwarding_id)
    await lock_key(session, f"forwarding:{forwarding.id}")
    if forwarding.status in (FINISHED, CANCELLING):
        return forwarding  # a repeated remove changes nothing
    forwarding.status = CANCELLING
    forwarding.next_check_at = now
    forwarding.attempts = 0
    forwarding.updated_at = now
    for payment in await repo.unsent_payments(session, forwarding.id):
        await _refuse(session, payment, "the forwarding was removed", now)
    mark_account_changed(session, account_id)
    return forwarding


def finished(session: AsyncSession, forwarding: Forwarding, now: dt.datetime) -> None:
    """The agent cancelled the forwarding on the SIM."""
    forwarding.status = FINISHED
    forwarding.updated_at = now
    mark_account_changed(session, forwarding.account_id)


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

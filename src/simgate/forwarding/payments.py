"""Automatic minute top-ups of a forwarding: when one is due, what it may cost, and how the
agent's answer settles its hold. Callers own the transaction; everything here only flushes.

What the buyer chose decides every top-up (the spec's forwardingSave):
- `minutes` (getNum's forward_minutes) is the balance kept up; 0 turns top-ups off.
- `auto` (listed as `extension`) renews the number past its rental; off, nothing is bought
  once the rental has ended.
- `max_minutes` caps the minutes bought in all. The operator's caps
  (`forward_max_minutes_default`, `forward_max_spend_default`) bound every forwarding, so an
  agent that reports 0 minutes forever cannot drain a balance; the buyer can only lower them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from simgate.core.db import lock_key
from simgate.core.money import parse_amount
from simgate.core.settings import Settings
from simgate.forwarding import repository as repo
from simgate.forwarding.repository import CREATED, CREDITED
from simgate.forwarding.states import PAYING, Status
from simgate.ledger import service as ledger
from simgate.models.forwarding import Forwarding, ForwardPayment


@dataclass(frozen=True)
class Budget:
    """What the caps still allow for one forwarding."""

    minutes: int  # minutes that may still be bought
    money: int  # minor units that may still be spent
    price: int  # minor units per minute


def minute_cap(settings: Settings, forwarding: Forwarding) -> int:
    """The minutes a forwarding may buy in all: the buyer's max_minutes within the operator's."""
    default = settings.forward_max_minutes_default
    own = forwarding.max_minutes
    if own > 0 and default > 0:
        return min(own, default)
    return own or default  # 0 only when neither caps it


def top_up_size(settings: Settings, forwarding: Forwarding, budget: Budget) -> int:
    """Minutes the next automatic top-up buys (0: none is due or allowed)."""
    balance = forwarding.minutes
    threshold = forwarding.min_minutes
    if Status(forwarding.status) not in PAYING or threshold <= 0:
        return 0
    if balance is None or balance >= threshold:
        return 0
    size = min(max(settings.forward_top_up_minutes, threshold - balance), budget.minutes)
    if budget.price > 0:
        size = min(size, budget.money // budget.price)
    return max(size, 0)


async def budget(
    session: AsyncSession, settings: Settings, forwarding: Forwarding, now: dt.datetime
) -> Budget:
    """The caps left for `forwarding`; nothing at all past the rental unless `auto` is on."""
    price = parse_amount(settings.forward_minute_price, settings.currency_exponent)
    ended = not await repo.rental_open(session, forwarding.activation_id, now)
    if ended and not forwarding.auto_extend:
        return Budget(0, 0, price)
    cap = minute_cap(settings, forwarding)
    minutes = cap - forwarding.topped_up_minutes if cap > 0 else 2**31
    money_cap = settings.forward_max_spend_default
    money = money_cap - await repo.spent(session, forwarding.id) if money_cap > 0 else 2**62
    return Budget(max(minutes, 0), max(money, 0), price)


async def plan_top_up(
    session: AsyncSession, settings: Settings, forwarding: Forwarding, now: dt.datetime
) -> ForwardPayment | None:
    """Hold the price of a top-up and record it as a created payment, when one is due."""
    await lock_key(session, f"forwarding:{forwarding.id}")
    if Status(forwarding.status) not in PAYING or forwarding.min_minutes <= 0:
        return None
    minutes = top_up_size(settings, forwarding, await budget(session, settings, forwarding, now))
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


async def release_unsent(
    session: AsyncSession, forwarding_id: int, reason: str, now: dt.datetime
) -> None:
    """Payments not yet sent to the agent are dropped and their holds released."""
    for payment in await repo.unsent_payments(session, forwarding_id):
        await _refuse(session, payment, reason, now)


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

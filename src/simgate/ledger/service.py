"""Ledger operations. Callers own the transaction; every function here only flushes.

Invariant per account: deposited == available + held + captured, nothing negative, and every
hold ends (captured or released) exactly once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from simgate.core import validate
from simgate.core.changes import account_topic
from simgate.core.db import Database, mark_account_changed
from simgate.core.errors import InvalidInput
from simgate.core.money import MAX_AMOUNT
from simgate.ledger import repository as repo
from simgate.ledger.errors import InsufficientFunds
from simgate.ledger.repository import BalanceView
from simgate.models import LedgerEntry

__all__ = ["BalanceView", "InsufficientFunds", "LedgerEntry"]

REFERENCE_MAX_LENGTH = 64  # ledger_entries.reference


# Balances kept in memory per process, dropped by every commit that moves the account's money.
BALANCES = "ledger.balances"


async def open_account(session: AsyncSession, account_id: int) -> None:
    """Create the zero balance of a new account."""
    mark_account_changed(session, account_id)
    await repo.create_balance(session, account_id)


async def _shift(session: AsyncSession, account_id: int, **moves: int) -> bool:
    """repo.shift, the way one balance changes (repo.shift_each when holds end), told to every
    process's memory on commit."""
    mark_account_changed(session, account_id)
    return await repo.shift(session, account_id, **moves)


async def balance(session: AsyncSession, account_id: int) -> BalanceView:
    """The account's current balance."""
    view = await repo.get_balance(session, account_id)
    return view if view is not None else BalanceView(0, 0, 0, 0)


async def read_balance(db: Database, account_id: int) -> BalanceView:
    """The account's current balance (for the dialects): from memory, exact under the change
    feed, or in its own read scope."""

    async def load() -> BalanceView:
        async with db.read() as session:
            return await balance(session, account_id)

    return await db.memo(BALANCES).get(account_topic(account_id), account_id, load)


async def read_entries(
    db: Database, account_id: int, before_id: int | None, limit: int
) -> list[LedgerEntry]:
    """A page of the account's ledger entries, newest first (its own read scope)."""
    async with db.read() as session:
        return await repo.entries_page(session, account_id, before_id, limit)


async def deposit(
    session: AsyncSession, account_id: int, amount: int, now: dt.datetime, reference: str = ""
) -> None:
    """Add money to an account (positive amount only, at most MAX_AMOUNT)."""
    if not 0 < amount <= MAX_AMOUNT:
        raise InvalidInput(f"a deposit must be between 1 and {MAX_AMOUNT} minor units")
    await _shift(session, account_id, deposited=amount, available=amount)
    await repo.add_entry(
        session, account_id=account_id, kind="deposit", amount=amount, now=now, reference=reference
    )


async def debit(
    session: AsyncSession, account_id: int, amount: int, now: dt.datetime, reason: str
) -> None:
    """Take money back out of an account (an operator's correction): the opposite of a
    deposit, so `deposited` shrinks with `available`. InsufficientFunds, and no change, when
    the available balance cannot cover it."""
    if not 0 < amount <= MAX_AMOUNT:
        raise InvalidInput(f"a debit must be between 1 and {MAX_AMOUNT} minor units")
    validate.text(reason, "reason", max_length=REFERENCE_MAX_LENGTH)
    if not await _shift(
        session, account_id, deposited=-amount, available=-amount, require_available=amount
    ):
        raise InsufficientFunds(f"account {account_id} cannot cover a debit of {amount}")
    await repo.add_entry(
        session, account_id=account_id, kind="debit", amount=amount, now=now, reference=reason
    )


async def hold_entries(session: AsyncSession, hold_id: int) -> list[LedgerEntry]:
    """The entries one hold caused, oldest first (what a rental cost, and how it ended)."""
    return await repo.entries_of_hold(session, hold_id)


async def hold(
    session: AsyncSession, account_id: int, amount: int, now: dt.datetime, reference: str
) -> int:
    """Reserve `amount` of the available balance; raises InsufficientFunds atomically."""
    if amount < 0:
        raise ValueError("a hold cannot be negative")
    if not await _shift(
        session, account_id, available=-amount, held=amount, require_available=amount
    ):
        raise InsufficientFunds(f"account {account_id} cannot cover {amount}")
    hold_id = await repo.insert_hold(session, account_id, amount, reference, now)
    await repo.add_entry(
        session,
        account_id=account_id,
        kind="hold",
        amount=amount,
        now=now,
        hold_id=hold_id,
        reference=reference,
    )
    return hold_id


async def capture(session: AsyncSession, hold_id: int, now: dt.datetime) -> bool:
    """Turn a hold into a sale. False (and no change) when the hold already ended."""
    return bool(await _end(session, [hold_id], "captured", now))


async def capture_many(
    session: AsyncSession, hold_ids: Sequence[int], now: dt.datetime
) -> list[int]:
    """Turn each hold into a sale, in three statements whatever their number (the delivery
    queue captures a batch of sent messages at once); the ids captured now, the others had
    already ended."""
    return await _end(session, hold_ids, "captured", now)


async def release(session: AsyncSession, hold_id: int, now: dt.datetime) -> bool:
    """Give a hold back to the available balance. False when the hold already ended."""
    return bool(await _end(session, [hold_id], "released", now))


# What ending a hold does: the balance column its money moves to, and the entry it leaves.
_ENDINGS = {"captured": ("captured", "capture"), "released": ("available", "release")}


async def _end(
    session: AsyncSession, hold_ids: Sequence[int], state: str, now: dt.datetime
) -> list[int]:
    ended = await repo.end_holds(session, hold_ids, state, now)
    target, kind = _ENDINGS[state]
    moves: dict[int, int] = {}
    for hold in ended:
        moves[hold.account_id] = moves.get(hold.account_id, 0) + hold.amount
        mark_account_changed(session, hold.account_id)
    await repo.shift_each(session, moves, source="held", target=target)
    await repo.add_hold_entries(session, kind, ended, now)
    return [hold.hold_id for hold in ended]


async def refund_capture(
    session: AsyncSession, account_id: int, amount: int, now: dt.datetime, reference: str
) -> None:
    """Return money that was captured (an operator's refund after a problem)."""
    await _shift(session, account_id, captured=-amount, available=amount)
    await repo.add_entry(
        session, account_id=account_id, kind="refund", amount=amount, now=now, reference=reference
    )


@dataclass(frozen=True)
class Violation:
    account_id: int | None
    message: str


Progress = Callable[[int, int], None]  # (rows checked, rows to check)
CHECK_BATCH = 1000


async def check(
    session: AsyncSession, on_progress: Progress | None = None, *, batch: int = CHECK_BATCH
) -> list[Violation]:
    """Verify every ledger invariant; an empty list means the books balance.

    Accounts, then holds, are read in batches of `batch` ids, so a book of millions of
    entries is checked in bounded memory and `on_progress` hears after every batch."""
    balances, holds = await repo.counts(session)
    total, done = balances + holds, 0
    problems: list[Violation] = []
    after = 0
    while ids := await repo.account_ids(session, after, batch):
        problems.extend(await _check_accounts(session, ids[0], ids[-1]))
        after, done = ids[-1], done + len(ids)
        if on_progress is not None:
            on_progress(done, total)
    after = 0
    while ids := await repo.hold_ids(session, after, batch):
        for hold_id, state, starts, ends in await repo.hold_entry_anomalies(
            session, ids[0], ids[-1]
        ):
            problems.append(
                Violation(
                    None, f"hold {hold_id} ({state}) has {starts} hold and {ends} ending entries"
                )
            )
        after, done = ids[-1], done + len(ids)
        if on_progress is not None:
            on_progress(done, total)
    return problems


async def _check_accounts(session: AsyncSession, first: int, last: int) -> list[Violation]:
    sums = await repo.entry_sums(session, first, last)
    open_holds = await repo.open_hold_sums(session, first, last)
    problems: list[Violation] = []
    for account_id, deposited, available, held, captured in await repo.totals_by_account(
        session, first, last
    ):
        problems.extend(
            _check_account(account_id, deposited, available, held, captured, sums, open_holds)
        )
    return problems


def _check_account(
    account_id: int,
    deposited: int,
    available: int,
    held: int,
    captured: int,
    sums: dict[tuple[int, str], int],
    open_holds: dict[int, int],
) -> list[Violation]:
    def entries(kind: str) -> int:
        return sums.get((account_id, kind), 0)

    found: list[str] = []
    if deposited != available + held + captured:
        found.append(
            f"deposited {deposited} != available {available} + held {held} + captured {captured}"
        )
    if min(available, held, captured) < 0:
        found.append(f"negative balance: available {available}, held {held}, captured {captured}")
    if held != open_holds.get(account_id, 0):
        found.append(f"held {held} != open holds {open_holds.get(account_id, 0)}")
    net_deposits = entries("deposit") - entries("debit")
    if deposited != net_deposits:
        found.append(f"deposited {deposited} != deposit - debit entries {net_deposits}")
    expected_captured = entries("capture") - entries("refund")
    if captured != expected_captured:
        found.append(f"captured {captured} != capture - refund entries {expected_captured}")
    expected_held = entries("hold") - entries("capture") - entries("release")
    if held != expected_held:
        found.append(f"held {held} != hold - capture - release entries {expected_held}")
    return [Violation(account_id, message) for message in found]

"""Every balance change is one conditional UPDATE plus one appended entry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Update,
    and_,
    bindparam,
    case,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import BindParameter

from simgate.models import Balance, Hold, LedgerEntry
from simgate.models.base import table_of


@dataclass(frozen=True)
class BalanceView:
    deposited: int
    available: int
    held: int
    captured: int


async def create_balance(session: AsyncSession, account_id: int) -> None:
    await session.execute(
        insert(Balance).values(account_id=account_id, deposited=0, available=0, held=0, captured=0)
    )


async def get_balance(session: AsyncSession, account_id: int) -> BalanceView | None:
    row = (
        await session.execute(
            select(Balance.deposited, Balance.available, Balance.held, Balance.captured).where(
                Balance.account_id == account_id
            )
        )
    ).one_or_none()
    return None if row is None else BalanceView(*row)


# The statements every rental sends, built once: building one anew each time (coercing every
# column and value, then computing its cache key) costs several times what executing it does.
_BALANCES = table_of(Balance)
_HOLDS = table_of(Hold)
_ENTRIES = table_of(LedgerEntry)

_ADD_ENTRY = insert(_ENTRIES)
_SHIFT = (
    update(_BALANCES)
    .where(_BALANCES.c.account_id == bindparam("b_account"))
    .values(
        deposited=_BALANCES.c.deposited + bindparam("b_deposited"),
        available=_BALANCES.c.available + bindparam("b_available"),
        held=_BALANCES.c.held + bindparam("b_held"),
        captured=_BALANCES.c.captured + bindparam("b_captured"),
    )
)
_SHIFT_ABOVE_FLOOR = _SHIFT.where(_BALANCES.c.available >= bindparam("b_floor"))
_INSERT_HOLD = insert(_HOLDS).returning(_HOLDS.c.id)


async def add_entry(
    session: AsyncSession,
    *,
    account_id: int,
    kind: str,
    amount: int,
    now: dt.datetime,
    hold_id: int | None = None,
    reference: str = "",
) -> None:
    await session.execute(
        _ADD_ENTRY,
        {
            "account_id": account_id,
            "kind": kind,
            "amount": amount,
            "hold_id": hold_id,
            "reference": reference,
            "created_at": now,
        },
    )


async def shift(
    session: AsyncSession,
    account_id: int,
    *,
    deposited: int = 0,
    available: int = 0,
    held: int = 0,
    captured: int = 0,
    require_available: int = 0,
) -> bool:
    """Apply deltas in one UPDATE; refuses (False) when available would drop below the floor."""
    values = {
        "b_account": account_id,
        "b_deposited": deposited,
        "b_available": available,
        "b_held": held,
        "b_captured": captured,
    }
    if require_available:
        result = await session.execute(_SHIFT_ABOVE_FLOOR, {**values, "b_floor": require_available})
    else:
        result = await session.execute(_SHIFT, values)
    return bool(getattr(result, "rowcount", 0))


async def insert_hold(
    session: AsyncSession, account_id: int, amount: int, reference: str, now: dt.datetime
) -> int:
    values = {
        "account_id": account_id,
        "amount": amount,
        "state": "held",
        "reference": reference,
        "created_at": now,
    }
    return int((await session.execute(_INSERT_HOLD, values)).scalar_one())


@dataclass(frozen=True)
class EndedHold:
    hold_id: int
    account_id: int
    amount: int


_END_HOLDS = (
    update(_HOLDS)
    .where(_HOLDS.c.id.in_(bindparam("h_ids", expanding=True)), _HOLDS.c.state == "held")
    .values(state=bindparam("h_state"), ended_at=bindparam("h_now"))
    .returning(_HOLDS.c.id, _HOLDS.c.account_id, _HOLDS.c.amount)
)


async def end_holds(
    session: AsyncSession, hold_ids: Sequence[int], new_state: str, now: dt.datetime
) -> list[EndedHold]:
    """Move each hold from `held` to `new_state` exactly once, in one UPDATE; returns the
    holds this call ended (the others had ended before), in id order."""
    if not hold_ids:
        return []
    values = {"h_ids": sorted(hold_ids), "h_state": new_state, "h_now": now}
    result = await session.execute(_END_HOLDS, values)
    ended = [EndedHold(int(h), int(a), int(m)) for h, a, m in result.all()]
    return sorted(ended, key=lambda e: e.hold_id)


def _move(source: str, target: str) -> Update:
    amount: BindParameter[int] = bindparam("s_amount")
    return (
        update(_BALANCES)
        .where(_BALANCES.c.account_id == bindparam("s_account"))
        .values({source: _BALANCES.c[source] - amount, target: _BALANCES.c[target] + amount})
    )


# (source, target) -> the UPDATE moving money between those balance columns
_MOVES = {pair: _move(*pair) for pair in (("held", "captured"), ("held", "available"))}


async def shift_each(
    session: AsyncSession, moves: Mapping[int, int], *, source: str, target: str
) -> None:
    """Move `moves[account]` from column `source` to column `target` of each account's
    balance: one UPDATE sent with a row per account, in account order, so two transactions
    moving money of the same accounts lock their rows in the same order."""
    if not moves:
        return
    rows = [{"s_account": a, "s_amount": moves[a]} for a in sorted(moves)]
    await session.execute(_MOVES[source, target], rows)


async def add_hold_entries(
    session: AsyncSession, kind: str, ended: Sequence[EndedHold], now: dt.datetime
) -> None:
    """One entry of `kind` per ended hold, in one INSERT."""
    if ended:
        await session.execute(
            _ADD_ENTRY,
            [
                {
                    "account_id": e.account_id,
                    "kind": kind,
                    "amount": e.amount,
                    "hold_id": e.hold_id,
                    "reference": "",
                    "created_at": now,
                }
                for e in ended
            ],
        )


def _ids_between(column: Any, first: int, last: int) -> ColumnElement[bool]:
    return and_(column >= first, column <= last)


async def account_ids(session: AsyncSession, after: int, limit: int) -> list[int]:
    """The next `limit` account ids that have a balance, after `after` (keyset paging)."""
    stmt = (
        select(Balance.account_id)
        .where(Balance.account_id > after)
        .order_by(Balance.account_id)
        .limit(limit)
    )
    return [int(i) for i in (await session.execute(stmt)).scalars()]


async def hold_ids(session: AsyncSession, after: int, limit: int) -> list[int]:
    """The next `limit` hold ids after `after` (keyset paging)."""
    stmt = select(Hold.id).where(Hold.id > after).order_by(Hold.id).limit(limit)
    return [int(i) for i in (await session.execute(stmt)).scalars()]


async def counts(session: AsyncSession) -> tuple[int, int]:
    """(balances, holds): how much a full check has to read."""
    balances = (await session.execute(select(func.count()).select_from(Balance))).scalar_one()
    holds = (await session.execute(select(func.count()).select_from(Hold))).scalar_one()
    return int(balances), int(holds)


async def totals_by_account(
    session: AsyncSession, first: int, last: int
) -> list[tuple[int, int, int, int, int]]:
    """(account, deposited, available, held, captured) of the accounts first..last."""
    rows = await session.execute(
        select(
            Balance.account_id, Balance.deposited, Balance.available, Balance.held, Balance.captured
        )
        .where(_ids_between(Balance.account_id, first, last))
        .order_by(Balance.account_id)
    )
    return [(int(r[0]), int(r[1]), int(r[2]), int(r[3]), int(r[4])) for r in rows]


async def entry_sums(session: AsyncSession, first: int, last: int) -> dict[tuple[int, str], int]:
    """Sum of entries per (account, kind) of the accounts first..last."""
    rows = await session.execute(
        select(LedgerEntry.account_id, LedgerEntry.kind, func.sum(LedgerEntry.amount))
        .where(_ids_between(LedgerEntry.account_id, first, last))
        .group_by(LedgerEntry.account_id, LedgerEntry.kind)
    )
    return {(int(a), str(k)): int(s or 0) for a, k, s in rows}


async def open_hold_sums(session: AsyncSession, first: int, last: int) -> dict[int, int]:
    """Sum of open holds per account of the accounts first..last."""
    rows = await session.execute(
        select(Hold.account_id, func.sum(Hold.amount))
        .where(Hold.state == "held", _ids_between(Hold.account_id, first, last))
        .group_by(Hold.account_id)
    )
    return {int(a): int(s or 0) for a, s in rows}


async def hold_entry_anomalies(
    session: AsyncSession, first: int, last: int
) -> list[tuple[int, str, int, int]]:
    """Holds first..last whose entries disagree with their state: (hold, state, starts, ends).

    Each hold has one `hold` entry, and one ending entry once it is no longer held; the
    database compares, so only the anomalies travel."""
    ends = func.coalesce(
        func.sum(case((LedgerEntry.kind.in_(("capture", "release")), 1), else_=0)), 0
    )
    starts = func.coalesce(func.sum(case((LedgerEntry.kind == "hold", 1), else_=0)), 0)
    expected_end = case((Hold.state == "held", 0), else_=1)
    rows = await session.execute(
        select(Hold.id, Hold.state, starts, ends)
        .join(LedgerEntry, LedgerEntry.hold_id == Hold.id, isouter=True)
        .where(_ids_between(Hold.id, first, last))
        .group_by(Hold.id, Hold.state)
        .having(or_(starts != 1, ends != expected_end))
        .order_by(Hold.id)
    )
    return [(int(h), str(state), int(n_start), int(n_end)) for h, state, n_start, n_end in rows]


async def entries_of_hold(session: AsyncSession, hold_id: int) -> list[LedgerEntry]:
    """The entries a hold caused (hold, then its capture, release or refund), oldest first."""
    stmt = select(LedgerEntry).where(LedgerEntry.hold_id == hold_id).order_by(LedgerEntry.id)
    return list((await session.execute(stmt)).scalars())


async def entries_page(
    session: AsyncSession, account_id: int, before_id: int | None, limit: int
) -> list[LedgerEntry]:
    """The account's entries newest first, older than `before_id` (keyset paging)."""
    stmt = select(LedgerEntry).where(LedgerEntry.account_id == account_id)
    if before_id is not None:
        stmt = stmt.where(LedgerEntry.id < before_id)
    stmt = stmt.order_by(LedgerEntry.id.desc()).limit(limit)
    return list((await session.execute(stmt)).scalars())


async def totals(session: AsyncSession) -> dict[str, int]:
    """Sums over every balance: deposited, available, held, captured (minor units)."""
    columns = (Balance.deposited, Balance.available, Balance.held, Balance.captured)
    row = (await session.execute(select(*(func.coalesce(func.sum(c), 0) for c in columns)))).one()
    return {c.key: int(value) for c, value in zip(columns, row, strict=True)}

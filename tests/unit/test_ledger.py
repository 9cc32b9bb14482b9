"""The ledger on a real database: holds end exactly once; the check finds tampering."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import update

from simgate.accounts import service as accounts
from simgate.core.clock import Clock
from simgate.core.db import Database
from simgate.core.settings import Settings
from simgate.ledger import service as ledger
from simgate.ledger.errors import InsufficientFunds
from simgate.models import Balance


async def _account(db: Database, settings: Settings, clock: Clock, balance: int = 1000) -> int:
    async with db.transaction() as session:
        return (
            await accounts.create(session, settings, "acc", clock.now(), balance=balance)
        ).account.id


async def test_hold_capture_release_exactly_once(db, settings, clock):
    account_id = await _account(db, settings, clock)
    async with db.transaction() as session:
        first = await ledger.hold(session, account_id, 300, clock.now(), "a")
        second = await ledger.hold(session, account_id, 200, clock.now(), "b")
        assert await ledger.capture(session, first, clock.now())
        assert not await ledger.capture(session, first, clock.now())
        assert not await ledger.release(session, first, clock.now())
        assert await ledger.release(session, second, clock.now())
        with pytest.raises(InsufficientFunds):
            await ledger.hold(session, account_id, 701, clock.now(), "c")
        view = await ledger.balance(session, account_id)
        assert (view.deposited, view.available, view.held, view.captured) == (1000, 700, 0, 300)
        assert await ledger.check(session) == []


async def test_concurrent_holds_never_overdraw(db, settings, clock):
    account_id = await _account(db, settings, clock, balance=500)

    async def try_hold() -> bool:
        try:
            async with db.transaction() as session:
                await ledger.hold(session, account_id, 100, clock.now(), "race")
            return True
        except InsufficientFunds:
            return False

    results = await asyncio.gather(*(try_hold() for _ in range(20)))
    assert results.count(True) == 5
    async with db.read() as session:
        assert (await ledger.balance(session, account_id)).available == 0
        assert await ledger.check(session) == []


async def test_check_reports_tampering(db, settings, clock):
    account_id = await _account(db, settings, clock)
    async with db.transaction() as session:
        await session.execute(
            update(Balance).where(Balance.account_id == account_id).values(available=2000)
        )
    async with db.read() as session:
        problems = await ledger.check(session)
    assert problems and all(p.account_id == account_id for p in problems)


async def test_capture_many_ends_each_hold_once_across_accounts(db, settings, clock):
    async with db.transaction() as session:
        now = clock.now()
        first = (await accounts.create(session, settings, "one", now, balance=1000)).account.id
        second = (await accounts.create(session, settings, "two", now, balance=1000)).account.id
        holds = [
            await ledger.hold(session, first, 100, now, "a"),
            await ledger.hold(session, second, 250, now, "b"),
            await ledger.hold(session, first, 300, now, "c"),
        ]
        ended_before = await ledger.hold(session, second, 50, now, "d")
        assert await ledger.release(session, ended_before, now)
        captured = await ledger.capture_many(session, [*reversed(holds), ended_before], now)
        assert captured == sorted(holds)  # the released one is left alone
        assert await ledger.capture_many(session, holds, now) == []  # each ends once
        one, two = await ledger.balance(session, first), await ledger.balance(session, second)
        assert (one.available, one.held, one.captured) == (600, 0, 400)
        assert (two.available, two.held, two.captured) == (750, 0, 250)
        assert await ledger.check(session) == []

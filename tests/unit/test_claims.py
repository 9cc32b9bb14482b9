"""The one compare-and-set lease, on a real table (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import datetime as dt

from simgate.core.claims import Lease
from simgate.core.clock import FrozenClock
from simgate.core.db import Database
from simgate.models import Supplier

LEASE = Lease(Supplier.poll_locked_until)
DUE = Lease(Supplier.last_poll_at, due_inclusive=True)


async def _suppliers(db: Database, clock: FrozenClock, count: int) -> list[int]:
    async with db.transaction() as session:
        rows = [
            Supplier(
                name=f"agent-{n}",
                url=f"http://127.0.0.1:9/{n}",
                key=f"key-{n}",
                key_hash=f"{n:064d}",
                created_at=clock.now(),
            )
            for n in range(count)
        ]
        session.add_all(rows)
        await session.flush()
        return [row.id for row in rows]


async def _take(db: Database, lease: Lease, row_id: int, now: dt.datetime, seconds: int) -> bool:
    async with db.transaction() as session:
        return await lease.take_one(session, row_id, now, now + dt.timedelta(seconds=seconds))


async def test_a_held_row_is_refused_until_its_lease_runs_out(
    db: Database, clock: FrozenClock
) -> None:
    (row_id,) = await _suppliers(db, clock, 1)
    now = clock.now()
    assert await _take(db, LEASE, row_id, now, 30)
    assert not await _take(db, LEASE, row_id, now + dt.timedelta(seconds=29), 30)
    # Exactly at `until` the lease still holds: free means strictly in the past.
    assert not await _take(db, LEASE, row_id, now + dt.timedelta(seconds=30), 30)
    assert await _take(db, LEASE, row_id, now + dt.timedelta(seconds=31), 30)


async def test_racing_takers_get_the_row_once(db: Database, clock: FrozenClock) -> None:
    (row_id,) = await _suppliers(db, clock, 1)
    now = clock.now()
    won = await asyncio.gather(*(_take(db, LEASE, row_id, now, 30) for _ in range(5)))
    assert sorted(won) == [False, False, False, False, True]


async def test_conditions_and_values_go_into_the_same_update(
    db: Database, clock: FrozenClock
) -> None:
    first, second, third = await _suppliers(db, clock, 3)
    now, until = clock.now(), clock.now() + dt.timedelta(seconds=60)
    async with db.transaction() as session:
        taken = await LEASE.take(
            session,
            [first, second, third],
            now,
            until,
            Supplier.id != second,
            consecutive_failures=Supplier.consecutive_failures + 1,
        )
    assert taken == 2
    async with db.read() as session:
        rows = {i: await session.get(Supplier, i) for i in (first, second, third)}
    assert all(row is not None for row in rows.values())
    locks = [getattr(rows[i], "poll_locked_until", "gone") for i in (first, second, third)]
    failures = [getattr(rows[i], "consecutive_failures", "gone") for i in (first, second, third)]
    assert locks == [until, None, until]
    assert failures == [1, 0, 1]


async def test_take_row_returns_the_row_as_updated_or_none(
    db: Database, clock: FrozenClock
) -> None:
    (row_id,) = await _suppliers(db, clock, 1)
    now, until = clock.now(), clock.now() + dt.timedelta(seconds=10)
    async with db.transaction() as session:
        await session.get(Supplier, row_id)  # a stale copy in the session must not be returned
        row = await LEASE.take_row(
            session, row_id, now, until, consecutive_failures=Supplier.consecutive_failures + 3
        )
        assert row is not None
        assert (row.poll_locked_until, row.consecutive_failures) == (until, 3)
        assert await LEASE.take_row(session, row_id, now, until) is None


async def test_nothing_to_take_touches_nothing(db: Database, clock: FrozenClock) -> None:
    async with db.transaction() as session:
        assert await LEASE.take(session, [], clock.now(), clock.now()) == 0


async def test_a_due_time_lease_is_free_at_its_moment_and_not_when_unset(
    db: Database, clock: FrozenClock
) -> None:
    (row_id,) = await _suppliers(db, clock, 1)
    now = clock.now()
    assert not await _take(db, DUE, row_id, now, 30)  # NULL: never scheduled, not due
    async with db.transaction() as session:
        row = await session.get(Supplier, row_id)
        assert row is not None
        row.last_poll_at = now
    assert await _take(db, DUE, row_id, now, 30)  # due exactly now: taken at once
    assert not await _take(db, DUE, row_id, now + dt.timedelta(seconds=29), 30)
    assert await _take(db, DUE, row_id, now + dt.timedelta(seconds=30), 30)

"""On SQLite the queries every getNum and every worker tick send are answered from an index
alone ("USING COVERING INDEX"): the per-minute getNum limit and the expiry query. Each
statement is captured as the repository sends it and explained by SQLite itself."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from simgate.activations import repository as repo
from simgate.core.clock import FrozenClock
from simgate.core.db import Database
from tests.activations.test_history_indexes import captured, plan_of

Query = Callable[[AsyncSession, dt.datetime], Awaitable[Any]]

QUERIES: dict[str, Query] = {
    "getNum limits": lambda s, now: repo.limit_counts(s, 1, now, now - dt.timedelta(minutes=1)),
    "created this minute": lambda s, now: repo.count_created_since(s, 1, now),
    "expired": lambda s, now: repo.expired_ids(s, now, 100),
}

# Which parts of each plan must be covering: the per-minute count of "getNum limits" is;
# its open and in-flight counts read the few open rentals of one account.
COVERED: dict[str, tuple[str, ...]] = {
    "getNum limits": ("ix_activations_account_created",),
    "created this minute": ("ix_activations_account_created",),
    "expired": ("ix_activations_state_expires", "ix_activations_state_requesting_form"),
}


@pytest.mark.parametrize("name", list(QUERIES))
async def test_served_from_the_index_alone(db: Database, clock: FrozenClock, name: str):
    if not db.is_sqlite:
        pytest.skip("SQLite's EXPLAIN QUERY PLAN says whether an index covers a query")
    with captured(db) as sent:
        async with db.transaction() as session:
            await QUERIES[name](session, clock.now())
    selects = [(s, p) for s, p in sent if "FROM activations" in s]
    assert len(selects) == 1, sent
    plan = await plan_of(db, *selects[0])
    shown = "\n".join(plan)
    assert not any(line.startswith("SCAN activations") for line in plan), shown
    for index in COVERED[name]:
        assert f"USING COVERING INDEX {index} " in shown, shown

"""The history queries stay index-served however long an account's history grows.

An account gets a long finished history (one INSERT … SELECT), the database gathers its
statistics, then each repository query runs for real, its statement is captured as sent and
the database explains it: no plan may read the activations table (or one of its indexes) from
end to end, and the queries that filter by account must use the index that bounds them to the
rows they return — an index on the account alone still reads its whole history.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncSession

from simgate.accounts import service as accounts
from simgate.activations import repository as repo
from simgate.core.clock import FrozenClock
from simgate.core.db import Database
from simgate.core.settings import Settings
from simgate.suppliers import service as suppliers

AGENT_ID = 1  # the one agent `seed_history` adds to the empty database
Query = Callable[[AsyncSession, int, dt.datetime], Awaitable[Any]]

QUERIES: dict[str, Query] = {
    "getState listing": lambda s, account, now: repo.listing(
        s,
        account,
        tzid=None,
        forms=None,
        finished_since=now - dt.timedelta(minutes=10),
        descending=False,
    ),
    "used phones": lambda s, account, now: repo.used_phones(
        s, account, 1, since=now - dt.timedelta(days=30), limit=101
    ),
    "used before": lambda s, account, now: repo.used_before(
        s, account, 1, AGENT_ID, "79001000005", since=now - dt.timedelta(days=30)
    ),
    "created this minute": lambda s, account, now: repo.count_created_since(
        s, account, now - dt.timedelta(minutes=1)
    ),
    "expired": lambda s, _account, now: repo.expired_ids(s, now, 100),
    "deferred due": lambda s, _account, now: repo.deferred_due(s, now, 100),
}


HISTORY = 20_000
# The indexes each query that filters by account may be served by (None: any index will do).
SERVED_BY: dict[str, tuple[str, ...] | None] = {
    "getState listing": ("ix_activations_account_finished",),
    # Newest first from the index's end: it reads its limit, not the window.
    "used phones": ("ix_activations_account_service_created",),
    "used before": ("ix_activations_supplier_phone",),
    "created this minute": ("ix_activations_account_created",),
    "expired": None,
    "deferred due": None,
}

# Queries whose LIMIT bounds what they read: the index gives their rows in order.
READ_FROM_THE_INDEX_END = {"used phones"}

SQLITE_HISTORY = """
INSERT INTO activations (account_id, supplier_id, service_id, country_code, operator_slug, form,
    state, price, payout, phone, reject, revise_cursor, banned, created_at, expires_at,
    finished_at)
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :count)
SELECT :account, :supplier, 1 + i % 5, 7, 'any', 'online', 'sold', 1400, 840,
    '7900' || (1000000 + i), '[]', 0, 0, stamp, stamp, stamp
FROM (SELECT i, strftime('%Y-%m-%d %H:%M:%f000', :now, '-' || (i + 60) || ' minutes') AS stamp
      FROM n)
"""

POSTGRES_HISTORY = """
INSERT INTO activations (account_id, supplier_id, service_id, country_code, operator_slug, form,
    state, price, payout, phone, reject, revise_cursor, banned, created_at, expires_at,
    finished_at)
SELECT :account, :supplier, 1 + i % 5, 7, 'any', 'online', 'sold', 1400, 840,
    '7900' || (1000000 + i), '[]', 0, false, stamp, stamp, stamp
FROM (SELECT i, CAST(:now AS timestamp) - (i + 60) * interval '1 minute' AS stamp
      FROM generate_series(1, :count) AS i) AS history
"""


async def seed_history(db: Database, account_id: int, now: dt.datetime) -> None:
    """`HISTORY` finished rentals from one agent, each on a number of its own, the newest an
    hour old, then fresh planner statistics."""
    sql = SQLITE_HISTORY if db.is_sqlite else POSTGRES_HISTORY
    stamp = now.isoformat(sep=" ") if db.is_sqlite else now
    async with db.transaction() as session:
        agent = await suppliers.add(session, "agent", "http://127.0.0.1:1/", "k" * 32, now)
        params = {"account": account_id, "supplier": agent.id, "count": HISTORY, "now": stamp}
        await session.execute(text(sql), params)
    async with db.write_engine.connect() as conn:
        if not db.is_sqlite:
            await conn.exec_driver_sql("ANALYZE")
        await conn.commit()


@contextlib.contextmanager
def captured(db: Database) -> Iterator[list[tuple[str, Any]]]:
    sent: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_rest: Any) -> None:
        sent.append((statement, parameters))

    engine = db.write_engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", record)


async def plan_of(db: Database, statement: str, parameters: Any) -> list[str]:
    async with db.write_engine.connect() as conn:
        explain = "EXPLAIN QUERY PLAN" if db.is_sqlite else "EXPLAIN"
        rows = await conn.exec_driver_sql(f"{explain} {statement}", parameters)
        return [str(row[-1]) for row in rows]


def reads_whole_table(db: Database, plan: list[str]) -> bool:
    if db.is_sqlite:
        # "SCAN activations" (whole table) or "SCAN activations USING INDEX" (whole index).
        return any(line.startswith("SCAN activations") for line in plan)
    return any("Seq Scan on activations" in line for line in plan)


@pytest.mark.parametrize("name", list(QUERIES))
async def test_history_query_is_index_served(
    db: Database, settings: Settings, clock: FrozenClock, name: str
):
    async with db.transaction() as session:
        created = await accounts.create(session, settings, "buyer", clock.now())
    await seed_history(db, created.account.id, clock.now())
    with captured(db) as sent:
        async with db.transaction() as session:
            await QUERIES[name](session, created.account.id, clock.now())
    selects = [(s, p) for s, p in sent if "FROM activations" in s]
    assert len(selects) == 1, sent
    plan = await plan_of(db, *selects[0])
    shown = "\n".join(plan)
    assert not reads_whole_table(db, plan), shown
    if (indexes := SERVED_BY[name]) is not None:
        assert any(index in shown for index in indexes), shown
        assert other_indexes(plan, indexes) == [], shown
    if name in READ_FROM_THE_INDEX_END:
        # An ORDER BY … LIMIT the index does not answer in order sorts every row it matches.
        assert not sorts(db, plan), shown


def sorts(db: Database, plan: list[str]) -> bool:
    if db.is_sqlite:
        return any("USE TEMP B-TREE" in line for line in plan)
    return any(line.lstrip().startswith(("Sort", "->  Sort")) for line in plan)


def other_indexes(plan: list[str], expected: tuple[str, ...]) -> list[str]:
    """Indexes of activations the plan reads besides `expected` and the primary key: for
    a query that filters by account, any other one walks the account's whole history."""
    used = re.findall(r"\b(ix_activations_\w+)", "\n".join(plan))
    return sorted({name for name in used if name not in expected})

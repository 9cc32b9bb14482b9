"""The cabinet's history page reads only about the rows it shows, whichever filters are set.

An account gets a long history in the order real rentals are made (the newest has the highest
id), then a page is asked for a day far back, alone and with the other filters. Walking the
account's rentals newest first and skipping the ones outside the day (what a plan ordered by
id alone does) would read nearly the whole history; the page must come from an index range
instead. On PostgreSQL the check is the rows the executor really read; on SQLite, the plan.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event, text

from simgate.accounts import service as accounts
from simgate.activations import queries
from simgate.core.clock import FrozenClock
from simgate.core.db import Database
from simgate.core.settings import Settings

HISTORY = 20_000
PAGE = 50

# Rental i was made (HISTORY - i) minutes before the newest one: ids grow with time.
SQLITE_HISTORY = """
INSERT INTO activations (account_id, service_id, country_code, operator_slug, form, state,
    price, payout, phone, reject, revise_cursor, banned, created_at, expires_at, finished_at)
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :count)
SELECT :account, 1 + i % 5, 7, 'any', 'online', CASE WHEN i % 3 = 0 THEN 'refunded' ELSE 'sold'
    END, 1400, 840, '7900' || (1000000 + i), '[]', 0, 0, stamp, stamp, stamp
FROM (SELECT i, strftime('%Y-%m-%d %H:%M:%f000', :now, '-' || (:count - i + 60) || ' minutes')
      AS stamp FROM n)
"""

POSTGRES_HISTORY = """
INSERT INTO activations (account_id, service_id, country_code, operator_slug, form, state,
    price, payout, phone, reject, revise_cursor, banned, created_at, expires_at, finished_at)
SELECT :account, 1 + i % 5, 7, 'any', 'online', CASE WHEN i % 3 = 0 THEN 'refunded' ELSE 'sold'
    END, 1400, 840, '7900' || (1000000 + i), '[]', 0, false, stamp, stamp, stamp
FROM (SELECT i, CAST(:now AS timestamp) - (:count - i + 60) * interval '1 minute' AS stamp
      FROM generate_series(1, :count) AS i) AS history
"""


async def seed(db: Database, settings: Settings, clock: FrozenClock) -> int:
    async with db.transaction() as session:
        account_id = (await accounts.create(session, settings, "buyer", clock.now())).account.id
        now = clock.now().isoformat(sep=" ") if db.is_sqlite else clock.now()
        sql = SQLITE_HISTORY if db.is_sqlite else POSTGRES_HISTORY
        await session.execute(text(sql), {"account": account_id, "count": HISTORY, "now": now})
    async with db.write_engine.connect() as conn:
        await conn.exec_driver_sql("ANALYZE")
        await conn.commit()
    return account_id


def far_back_day(clock: FrozenClock) -> tuple[dt.datetime, dt.datetime]:
    """A day near the oldest rentals: nearly the whole history is newer."""
    start = clock.now() - dt.timedelta(minutes=HISTORY - 60)
    return start, start + dt.timedelta(days=1)


FILTERS = {
    "a day": {},
    "a day, one service": {"service": "VKcom"},
    "a day, one state": {"states": ("refunded",)},
    "a day, service and state": {"service": "VKcom", "states": ("refunded",)},
}


@contextlib.contextmanager
def captured(db: Database) -> Iterator[list[tuple[str, Any]]]:
    """Statements as sent, by either engine (a read scope on SQLite has its own)."""
    sent: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_rest: Any) -> None:
        sent.append((statement, parameters))

    engines = {db.write_engine.sync_engine, db.read_engine.sync_engine}
    for engine in engines:
        event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", record)


async def rows_read(db: Database, statement: str, parameters: Any) -> int:
    """What the executor read from activations (rows kept plus rows its filters dropped)."""
    async with db.write_engine.connect() as conn:
        found = await conn.exec_driver_sql(f"EXPLAIN ANALYZE {statement}", parameters)
        plan = "\n".join(str(row[0]) for row in found)
    read = 0
    for line in plan.splitlines():
        if "on activations" in line:
            read += int(re.search(r"actual time=\S+ rows=(\d+)", line).group(1))  # type: ignore[union-attr]
        elif "Rows Removed by Filter" in line and read:
            read += int(line.split(":")[1])
    return read


@pytest.mark.parametrize("name", list(FILTERS))
async def test_a_far_back_day_is_read_from_an_index_range(
    db: Database, settings: Settings, clock: FrozenClock, name: str
):
    account_id = await seed(db, settings, clock)
    since, until = far_back_day(clock)
    wanted = queries.HistoryFilter(since=since, until=until, **FILTERS[name])  # type: ignore[arg-type]
    with captured(db) as sent:
        found = await queries.history(db, account_id, wanted, None, PAGE)
    assert found.rows and all(since <= a.created_at < until for a, _ in found.rows)
    stamps = [(a.created_at, a.id) for a, _ in found.rows]
    assert stamps == sorted(stamps, reverse=True)
    statement, parameters = next((s, p) for s, p in sent if "FROM activations" in s)
    if db.is_sqlite:
        async with db.write_engine.connect() as conn:
            plan = await conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            shown = "\n".join(str(row[-1]) for row in plan)
        assert re.search(r"SEARCH activations USING .*created_at>", shown), shown
    else:
        # A day holds 1,440 rentals; walking by id would read about 20,000.
        assert await rows_read(db, statement, parameters) <= 2 * 1440


async def test_a_deep_page_is_read_from_an_index_range(
    db: Database, settings: Settings, clock: FrozenClock
):
    account_id = await seed(db, settings, clock)
    first = await queries.history(db, account_id, queries.HistoryFilter(), None, HISTORY // 2)
    anchor = first.rows[-1][0]
    with captured(db) as sent:
        found = await queries.history(db, account_id, queries.HistoryFilter(), anchor.id, PAGE)
    assert [a.id for a, _ in found.rows] == list(range(anchor.id - 1, anchor.id - 1 - PAGE, -1))
    statement, parameters = next((s, p) for s, p in sent if "FROM activations" in s)
    if db.is_sqlite:
        async with db.write_engine.connect() as conn:
            plan = await conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            shown = "\n".join(str(row[-1]) for row in plan)
        assert re.search(r"SEARCH activations USING .*(rowid|id)<", shown), shown
    else:
        assert await rows_read(db, statement, parameters) <= 2 * PAGE + 2

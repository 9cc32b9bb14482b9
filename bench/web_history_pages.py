"""Latency of the cabinet's history page query over one account with many rentals.

    python bench/web_history_pages.py [--rows 1000000] [--database-url URL]

Fills one account with `rows` closed rentals (one bulk INSERT … SELECT), one a minute apart
up to now, then times `activations.queries.history` on the first page, a page in the middle
and the last page, with and without a state filter. Keyset paging on (account_id, id) makes
a deep page cost what the first one does; an OFFSET would read every row before it.

Then the filters together (service, state and a day's dates, far back), and filters that
match nothing, which must learn it from an index rather than by walking the whole history.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import tempfile
import time

from sqlalchemy import text

from simgate.accounts import service as accounts
from simgate.activations import queries
from simgate.catalog import service as catalog
from simgate.core.clock import SystemClock
from simgate.core.db import Database
from simgate.core.migrate import upgrade_async
from simgate.core.settings import Settings

PAGE = 50
REPEATS = 20

FILL = """
INSERT INTO activations (account_id, service_id, country_code, operator_slug, form, state,
    price, payout, reject, revise_cursor, banned, created_at, expires_at, finished_at)
SELECT :account, :service, 7, 'any', 'online',
    CASE WHEN n % 3 = 0 THEN 'refunded' ELSE 'sold' END,
    1400, 1000, '[]', 0, false, {stamp}, {stamp}, {stamp}
FROM {numbers}
"""
# Rental n was made (rows - n) minutes before now, so ids grow with time as real rentals'
# do (a far-back window is then far from the newest id); a day holds 1,440 of them.
STAMPS = {
    "sqlite": "strftime('%Y-%m-%d %H:%M:%f000', :at, '-' || (:rows - n) || ' minutes')",
    "postgresql": "CAST(:at AS timestamp) - (:rows - n) * interval '1 minute'",
}
NUMBERS = {
    "sqlite": "(WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < :rows)"
    " SELECT n FROM s)",
    "postgresql": "generate_series(1, :rows) AS s(n)",
}


async def _fill(db: Database, rows: int) -> int:
    now = SystemClock().now()
    settings = Settings()
    async with db.transaction() as session:
        await catalog.seed(session)
        name = f"bench{time.time_ns()}"
        account = (await accounts.create(session, settings, name, now)).account
        service = (
            await session.execute(text("SELECT id FROM services WHERE slug = 'VKcom'"))
        ).scalar_one()
        kind = "sqlite" if db.is_sqlite else "postgresql"
        at: object = now.isoformat(sep=" ") if db.is_sqlite else now
        params = {"account": account.id, "service": service, "at": at, "rows": rows}
        fill = FILL.format(numbers=NUMBERS[kind], stamp=STAMPS[kind])
        await session.execute(text(fill), params)
    async with db.transaction() as session:
        await session.execute(text("ANALYZE"))
    return account.id


async def _mean_ms(
    db: Database, account_id: int, wanted: queries.HistoryFilter, before: int | None
) -> float:
    started = time.perf_counter()
    for _ in range(REPEATS):
        page = await queries.history(db, account_id, wanted, before, PAGE)
        assert page.rows
    return (time.perf_counter() - started) * 1000 / REPEATS


def _days_back(days: float) -> tuple[dt.datetime, dt.datetime]:
    """One day's window that many days back (the page's since/until, until exclusive)."""
    end = SystemClock().now() - dt.timedelta(days=days)
    return end - dt.timedelta(days=1), end


async def _together(db: Database, account_id: int, rows: int) -> None:
    since, until = _days_back(rows / 1440 * 0.9)  # near the oldest rentals
    for label, filt in (
        ("a day, far back", queries.HistoryFilter(since=since, until=until)),
        (
            "all three",
            queries.HistoryFilter(service="VKcom", states=("refunded",), since=since, until=until),
        ),
    ):
        page = await queries.history(db, account_id, filt, None, PAGE)
        assert page.rows and all(since <= a.created_at < until for a, _ in page.rows)
        ms = await _mean_ms(db, account_id, filt, None)
        print(f"{label:15} first  page: {ms:7.2f} ms")


async def _empty(db: Database, account_id: int, rows: int) -> None:
    """Filters that match nothing: the page is empty, and must not walk the history to learn it."""
    since, until = _days_back(rows / 1440 + 30)  # before the first rental
    for label, filt in (
        ("unused service", queries.HistoryFilter(service="WhatsApp")),
        ("unused state", queries.HistoryFilter(states=("answered",))),
        ("before any", queries.HistoryFilter(since=since, until=until)),
    ):
        started = time.perf_counter()
        for _ in range(REPEATS):
            assert not (await queries.history(db, account_id, filt, None, PAGE)).rows
        ms = (time.perf_counter() - started) * 1000 / REPEATS
        print(f"{label:15} empty  page: {ms:7.2f} ms")


async def run(url: str, rows: int) -> None:
    await upgrade_async(url)
    db = Database(url)
    try:
        started = time.perf_counter()
        account_id = await _fill(db, rows)
        print(f"filled {rows} rentals in {time.perf_counter() - started:.1f} s")
        first = (await queries.history(db, account_id, queries.HistoryFilter(), None, 1)).rows
        top = first[0][0].id
        for label, filt in (
            ("any state", queries.HistoryFilter()),
            ("state=refunded", queries.HistoryFilter(states=("refunded",))),
            ("service=VKcom", queries.HistoryFilter(service="VKcom")),
        ):
            for where, before in (
                ("first", None),
                ("middle", top - rows // 2),
                ("last", top - rows + PAGE * 2),
            ):
                ms = await _mean_ms(db, account_id, filt, before)
                print(f"{label:15} {where:6} page: {ms:7.2f} ms")
        await _together(db, account_id, rows)
        await _empty(db, account_id, rows)
    finally:
        await db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    url = args.database_url
    if not url:
        url = f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/bench.db"
    asyncio.run(run(url, args.rows))


if __name__ == "__main__":
    main()

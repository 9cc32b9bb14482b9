"""What the storage layer alone costs a rental: CPU per transaction and per statement through
simgate's `Database.transaction()` (SQLAlchemy 2 async, as every write of the hub runs), next
to the bare driver, and the least a rental's transactions and statements cost at those rates.

    python bench/storage_floor.py [--transactions 500] [--database-url URL]

On uvloop in this process, against a scratch table: `--transactions` transactions of one
prebuilt UPDATE, then of four, each way, alternated and twice. The first gives a transaction's
fixed cost, the difference ÷ 3 a statement's. "Driver" is asyncpg's own connection and
transaction on PostgreSQL, and the standard library's sqlite3 on the loop's thread on SQLite
(no thread hop at all: less than any async use of SQLite can cost). The floor of a rental is
then its transactions and statements (tests/hub/test_sql_counts.py: getNum and setOperationOk)
at those rates: no HTTP, no parsing, no domain code. Without --database-url it measures a
fresh SQLite file and the PostgreSQL database simgate_bench_floor (dropped and created again).
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from collections.abc import Awaitable, Callable

import asyncpg  # type: ignore[import-untyped]
import uvloop
from sqlalchemy import BigInteger, Column, Integer, MetaData, Table, update
from sqlalchemy.engine import make_url

import speed
from simgate.core.db import Database

METADATA = MetaData()
SCRATCH = Table(
    "bench_storage_floor",
    METADATA,
    Column("id", Integer, primary_key=True),
    Column("n", BigInteger, nullable=False),
)
BUMP = update(SCRATCH).where(SCRATCH.c.id == 1).values(n=SCRATCH.c.n + 1)
BUMP_SQL = {"sqlite": "UPDATE bench_storage_floor SET n = n + 1 WHERE id = ?",
            "postgresql": "UPDATE bench_storage_floor SET n = n + 1 WHERE id = $1"}  # fmt: skip
# A rental (getNum, then setOperationOk) on the bench's path: (transactions, statements),
# BEGIN and COMMIT not counted as statements. SQLite: getNum's two transactions and
# setOperationOk's one. PostgreSQL: getNum's three (the agents' stock in its own) and one.
RENTAL = {"sqlite": (3, 20), "postgresql": (4, 24)}
PG_DB = "simgate_bench_floor"

Run = Callable[[int], Awaitable[None]]


def through_simgate(db: Database) -> Run:
    async def run(statements: int) -> None:
        async with db.transaction() as session:
            for _ in range(statements):
                await session.execute(BUMP)

    return run


def through_asyncpg(conn: asyncpg.Connection) -> Run:
    async def run(statements: int) -> None:
        async with conn.transaction():
            for _ in range(statements):
                await conn.execute(BUMP_SQL["postgresql"], 1)

    return run


def through_sqlite3(conn: sqlite3.Connection) -> Run:
    async def run(statements: int) -> None:
        conn.execute("BEGIN IMMEDIATE")
        for _ in range(statements):
            conn.execute(BUMP_SQL["sqlite"], (1,))
        conn.execute("COMMIT")

    return run


async def cpu_us(run: Run, statements: int, transactions: int) -> float:
    started = time.process_time()
    for _ in range(transactions):
        await run(statements)
    return (time.process_time() - started) / transactions * 1e6


async def rates(run: Run, transactions: int) -> tuple[float, float]:
    """(µs per transaction of one statement, µs per further statement), best of two."""
    await cpu_us(run, 4, 50)  # warm: compiled statements, prepared statements, the pool
    one = min([await cpu_us(run, 1, transactions) for _ in range(2)])
    four = min([await cpu_us(run, 4, transactions) for _ in range(2)])
    return one, (four - one) / 3


async def measure(url: str, transactions: int) -> None:
    backend = make_url(url).get_backend_name()
    db = Database(url)
    async with db.write_engine.begin() as conn:
        await conn.run_sync(METADATA.drop_all)
        await conn.run_sync(METADATA.create_all)
        await conn.execute(SCRATCH.insert().values(id=1, n=0))
    if backend == "sqlite":
        raw = sqlite3.connect(make_url(url).database or "", isolation_level=None)
        raw.execute("PRAGMA journal_mode=WAL")
        raw.execute("PRAGMA synchronous=NORMAL")
        driver = through_sqlite3(raw)
    else:
        dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        pg = await asyncpg.connect(dsn)
        driver = through_asyncpg(pg)
    try:
        ways = {"simgate (SQLAlchemy)": through_simgate(db), "driver": driver}
        measured = {name: await rates(run, transactions) for name, run in ways.items()}
    finally:
        if backend == "sqlite":
            raw.close()
        else:
            await pg.close()
        await db.dispose()
    count, statements = RENTAL[backend]
    print(f"[{backend}] a rental: {count} transactions, {statements} statements", flush=True)
    for name, (one, each) in measured.items():
        floor = count * (one - each) + statements * each
        print(
            f"  {name}: {one:.0f} µs per transaction of 1 statement, {each:.0f} µs per further "
            f"statement; a rental's storage alone: {floor / 1000:.1f} ms",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--transactions", type=int, default=500)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        urls = [args.database_url] if args.database_url else [
            f"sqlite+aiosqlite:///{tmp}/floor.db", speed.PG_URL.format(PG_DB)
        ]  # fmt: skip
        for url in urls:
            if not args.database_url and url.startswith("postgresql"):
                speed.reset_postgres(PG_DB)
            uvloop.run(measure(url, args.transactions))


if __name__ == "__main__":
    main()

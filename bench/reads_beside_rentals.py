"""What the buyer reads cost while other processes rent: CPU and SQL statements per request,
each request made just after another process committed what a rental commits (a number
counted off the agent's stock, money held on another account).

    python bench/reads_beside_rentals.py [--requests 2000] [--database-url URL]

Seeds the accounts bench/speed.py seeds in a fresh SQLite file, or in --database-url
(PostgreSQL: an empty database it may fill), gives the agent some stock, starts the hub's
change feed (as `simgate serve` does), then, for each request: commits a rental's writes
through a second engine (another process, as far as the feed can tell), waits on PostgreSQL
until the hub heard its NOTIFY (SQLite looks before each cached read), and calls the hub's
ASGI app in-process. Only the request is timed (process CPU) and counted (statements sent by
the hub's engines). Run it with an older `src` first on PYTHONPATH to compare.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import uvloop
from sqlalchemy import event, select

import speed
from app_cpu import receive, scope, send
from simgate.core import logs
from simgate.core.clock import SystemClock
from simgate.core.db import Database
from simgate.core.settings import Settings
from simgate.hub.app import create_app
from simgate.hub.context import HubContext
from simgate.ledger import service as ledger
from simgate.models import Supplier
from simgate.suppliers import repository as suppliers

STOCK = [("russia", "any", code, 10**9) for code in ("vk", "wa", "tg", "ot")]


class Counter:
    def __init__(self) -> None:
        self.statements = 0

    def __call__(self, *_args: Any) -> None:
        self.statements += 1


async def rent_elsewhere(other: Database, supplier_id: int, account_id: int) -> None:
    """The writes of one rental by another account, committed by another engine (in one
    transaction, so one NOTIFY on PostgreSQL: the hub is asked once it heard it)."""
    async with other.transaction() as session:
        await ledger.deposit(session, account_id, 1, SystemClock().now(), "bench")
        await suppliers.adjust_stock(session, supplier_id, "russia", "any", "vk", zero=False)


async def measure(url: str, data_dir: str, requests: int) -> None:
    settings = Settings(database_url=url, data_dir=Path(data_dir))
    data = await speed.seed(settings, "http://127.0.0.1:9/")  # no agent is called
    ctx = HubContext.create(settings)
    other = Database(url)
    async with other.transaction() as session:
        supplier_id = (await session.execute(select(Supplier.id))).scalar_one()
        await suppliers.replace_stock(session, supplier_id, STOCK, SystemClock().now())
    renter_id = data.short_history[1]  # any account but the poller's
    await ctx.db.start_feed()
    app = create_app(ctx)
    key = data.poller
    counter = Counter()
    # On PostgreSQL the read engine is the write engine with other options, sharing its
    # listeners: listening on both would count each read twice.
    engines = [ctx.db.write_engine.sync_engine]
    if ctx.db.is_sqlite:
        engines.append(ctx.db.read_engine.sync_engine)
    for engine in engines:
        event.listen(engine, "before_cursor_execute", counter)
    heard = asyncio.Event()
    ctx.db.changes.subscribe(lambda _changes: heard.set())
    targets = [
        ("getBalance", "/api/getBalance.php", f"apikey={key}"),
        ("getState", "/api/getState.php", f"apikey={key}"),
        ("getPrice", "/api/getPrice.php", f"apikey={key}&service=vk&country=7"),
        ("getNumbersStats", "/api/getNumbersStats.php", f"apikey={key}&country=7"),
        ("getServiceList", "/api/getServiceList.php", f"apikey={key}&country=7"),
        ("sms-activate getPrices", "/stubs/handler_api.php", f"api_key={key}&action=getPrices"),
    ]
    try:
        for name, path, query in targets:
            for _ in range(50):  # warm: imports, the memories, pooled connections
                await app(scope(path, query), receive, send)
            cpu, statements = 0.0, 0
            for _ in range(requests):
                heard.clear()
                await rent_elsewhere(other, supplier_id, renter_id)
                if not ctx.db.is_sqlite:
                    await asyncio.wait_for(heard.wait(), 10)
                counter.statements = 0
                started = time.process_time()
                await app(scope(path, query), receive, send)
                cpu += time.process_time() - started
                statements += counter.statements
            print(
                f"  {name}: {cpu / requests * 1e6:.0f} µs CPU, "
                f"{statements / requests:.2f} SQL statements per request",
                flush=True,
            )
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", counter)
        await other.dispose()
        await ctx.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    logs.configure(logging.INFO)
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(open(os.devnull, "w"))  # noqa: SIM115 (open until exit)
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite+aiosqlite:///{tmp}/bench.db"
        print(f"[{url.split(':', 1)[0]}]", flush=True)
        uvloop.run(measure(url, tmp, args.requests))  # the loop `simgate serve` runs on


if __name__ == "__main__":
    main()

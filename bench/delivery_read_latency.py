"""Latency of a signed delivery-api read (`balance`) over real HTTP on loopback.

    python bench/delivery_read_latency.py [--calls 500] [--database-url URL]

Every signed request spends its signature (one INSERT), reads included; this measures what
that costs a read. Calls are sequential, each with its own `nonce` so each is a new signature.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time

import httpx
from fastapi import FastAPI

from simgate.accounts import service as accounts
from simgate.core.clock import SystemClock
from simgate.core.db import Database
from simgate.core.migrate import upgrade_async
from simgate.core.settings import Settings
from simgate.delivery import auth, signature
from simgate.dialects.delivery.router import router
from simgate.hub.context import HubContext
from simgate.hub.server import running_server


async def _account(ctx: HubContext) -> tuple[str, str]:
    name = f"bench{time.time_ns()}"
    async with ctx.db.transaction() as session:
        created = await accounts.create(session, ctx.settings, name, ctx.clock.now(), balance=100)
        secret = await auth.issue_secret(session, created.account.id, ctx.clock.now())
    return name, secret


async def run(url: str, calls: int) -> float:
    """Mean milliseconds per signed `balance` call."""
    await upgrade_async(url)
    ctx = HubContext(settings=Settings(database_url=url), db=Database(url), clock=SystemClock())
    name, secret = await _account(ctx)
    app = FastAPI()
    app.include_router(router)
    app.state.ctx = ctx
    try:
        async with (
            running_server(app) as base,
            httpx.AsyncClient(base_url=base, trust_env=False) as http,
        ):
            started = time.perf_counter()
            for nonce in range(calls):
                stamp = str(auth.epoch_seconds(ctx.clock.now()))
                params = {"login": name, "timestamp": stamp, "nonce": str(nonce)}
                params["signature"] = signature.compute(params, secret)
                reply = await http.get("/delivery-api/get/balance.php", params=params)
                assert "money" in reply.json(), reply.text
            return (time.perf_counter() - started) / calls * 1000
    finally:
        await ctx.db.dispose()
        await ctx.close_http()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    url = args.database_url or f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/bench.db"
    mean = asyncio.run(run(url, args.calls))
    print(f"{url.split(':')[0]}: {args.calls} signed balance calls, {mean:.2f} ms each")


if __name__ == "__main__":
    main()

"""32 buyers renting and confirming at once over loopback while the stock poll rewrites the
agent's stock as fast as it can: nobody hears TRY_AGAIN_LATER, PostgreSQL reports no
deadlock, and the books balance. Each rental's transactions, the poll's and the health
updates lock rows in the one order `activations/assign.py` writes down; a path that took
them the other way round deadlocks here."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import itertools
from collections.abc import AsyncIterator
from typing import Any

import orjson
import uvicorn
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from simgate.accounts import service as accounts
from simgate.hub.server import listening_socket, socket_url
from simgate.ledger import service as ledger
from simgate.suppliers import service as suppliers
from simgate.worker import jobs
from tests.hub.conftest import Hub

BUYERS = 32
RENTALS_EACH = 6
LIMITS = {"max_concurrent": 100, "max_getnum_per_minute": 10_000, "max_parallel_getnum": 100}


class EndlessAgent:
    """Answers at once and never runs out: the hub's own locking is all that is measured."""

    key = "endless-key"

    def __init__(self) -> None:
        self._ids = itertools.count(1)

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/", self.handle, methods=["POST"])])

    async def handle(self, request: Request) -> Response:
        body = orjson.loads(await request.body())
        action = body.get("action")
        reply: dict[str, Any] = {"status": "SUCCESS"}
        if action == "GET_SERVICES":
            stock = {"vk": 10**6, "wa": 10**6}
            reply["countryList"] = [{"country": "russia", "operatorMap": {"any": stock}}]
        elif action == "GET_NUMBER":
            n = next(self._ids)
            reply.update(number=79_300_000_000 + n, activationId=n)
        return Response(orjson.dumps(reply), media_type="application/json")


@contextlib.asynccontextmanager
async def serving(app: Starlette) -> AsyncIterator[str]:
    """Serve `app` on loopback, keeping idle connections open: uvicorn's 5 s default lets
    the hub reuse a pooled connection the agent is closing at that instant on a loaded
    machine, a transport fault (and a resting agent) that has nothing to do with locking."""
    sock = listening_socket("127.0.0.1", 0)
    config = uvicorn.Config(app, log_level="warning", lifespan="off", timeout_keep_alive=3600)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            if task.done():
                task.result()  # re-raise the start-up error
            await asyncio.sleep(0.01)  # start-up: uvicorn offers only the flag
        yield socket_url(sock)
    finally:
        server.should_exit = True
        await task
        sock.close()


async def deadlocks(hub: Hub) -> int:
    """PostgreSQL's deadlock counter for this database (0 on SQLite, which has none)."""
    if hub.ctx.db.is_sqlite:
        return 0
    async with hub.ctx.db.read() as session:
        await session.execute(text("SELECT pg_stat_clear_snapshot()"))
        found = await session.execute(
            text("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
        )
        return int(found.scalar_one())


async def buyer_loop(hub: Hub, key: str, answers: collections.Counter[str]) -> None:
    for _ in range(RENTALS_EACH):
        got = await hub.api("getNum", key, service="vk")
        answers[f"getNum {got['response']}"] += 1
        if got["response"] != 1:
            continue
        done = await hub.api("setOperationOk", key, tzid=got["tzid"])
        answers[f"setOperationOk {done['response']}"] += 1


async def poll_hard(hub: Hub, stop: asyncio.Event) -> int:
    """Poll the stock back to back, the clock moving on each time so every health and
    poll-time write really changes the supplier's row."""
    polls = 0
    while not stop.is_set():
        hub.clock.advance(0.01)
        polls += await jobs.poll_stock(hub.ctx)
        await asyncio.sleep(0)  # let the buyers' requests in between two polls
    return polls


async def test_thirty_two_buyers_while_the_stock_poll_runs_hard(hub: Hub) -> None:
    hub.ctx.settings.stock_poll_seconds = 0  # every supplier is due at every pass
    agent = EndlessAgent()
    async with serving(agent.app()) as url:
        async with hub.ctx.db.transaction() as session:
            await suppliers.add(
                session, "endless", url + "/", agent.key, hub.clock.now(), timeout_seconds=30
            )
            keys = []
            for i in range(BUYERS):
                created = await accounts.create(
                    session, hub.ctx.settings, f"b{i}", hub.clock.now(), balance=10**9
                )
                for field, value in LIMITS.items():
                    setattr(created.account, field, value)
                keys.append(created.api_key)
        hub.ctx.settings.agent_timeout_seconds = 30  # a loaded machine is not a dead agent
        await jobs.poll_stock(hub.ctx)
        before = await deadlocks(hub)
        answers: collections.Counter[str] = collections.Counter()
        stop = asyncio.Event()
        poller = asyncio.create_task(poll_hard(hub, stop))
        try:
            await asyncio.gather(*(buyer_loop(hub, key, answers) for key in keys))
        finally:
            stop.set()
            polls = await poller
    assert polls > 1, "the poll never ran beside the buyers"
    total = BUYERS * RENTALS_EACH
    async with hub.ctx.db.read() as session:
        health = (await session.execute(text("SELECT last_error FROM suppliers"))).all()
    assert answers == {"getNum 1": total, "setOperationOk 1": total}, (answers, health)
    assert await deadlocks(hub) == before
    async with hub.ctx.db.read() as session:
        assert await ledger.check(session) == []

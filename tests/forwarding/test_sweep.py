"""A FORWARD_SET the agent carried out but the hub never recorded (it died between the agent's
SUCCESS and its own commit) is found by the worker and cancelled on the agent."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import AsyncIterator

import aiohttp
from sqlalchemy import text

from simgate.agent.runtime import AgentRuntime
from simgate.forwarding import service, tasks
from simgate.hub.context import HubContext
from simgate.ledger import service as ledger
from tests.forwarding.conftest import sent_body
from tests.hub.conftest import Hub


class DiesAfterForwardSet:
    """A client middleware that delivers every request and notes when FORWARD_SET's SUCCESS
    has reached the hub."""

    def __init__(self) -> None:
        self.set_answered = False

    async def __call__(
        self, request: aiohttp.ClientRequest, handler: aiohttp.ClientHandlerType
    ) -> aiohttp.ClientResponse:
        response = await handler(request)
        if b"FORWARD_SET" in await sent_body(request):
            self.set_answered = True
        return response


async def _agent_stock(agent: AgentRuntime) -> int:
    reply = await agent.protocol.answer({"action": "GET_SERVICES", "key": "bank-key"})
    return sum(ops.get("vk", 0) for c in reply["countryList"] for ops in c["operatorMap"].values())


async def test_a_forwarding_the_hub_never_recorded_is_cancelled_by_the_worker(
    hub: Hub, buyer: str, agent: AgentRuntime, monkeypatch
):
    await hub.ctx.close_http()
    transport = DiesAfterForwardSet()
    hub.ctx.http = aiohttp.ClientSession(middlewares=(transport,))
    committed = hub.ctx.db.transaction

    @contextlib.asynccontextmanager
    async def transaction() -> AsyncIterator[object]:
        # The first commit after the agent's SUCCESS never happens: the process is gone.
        if transport.set_answered:
            transport.set_answered = False
            raise ConnectionError("the hub died before recording FORWARD_SET's answer")
        async with committed() as session:
            yield session

    monkeypatch.setattr(hub.ctx.db, "transaction", transaction)
    in_stock = await _agent_stock(agent)
    params = {"apikey": buyer, "service": "vk", "forward_number": "9161234567"}
    response = await hub.client.get(f"{hub.url}/api/getNum.php", params=params)
    assert response.status_code == 500
    pool = agent.simulated
    assert pool is not None
    (phone,) = pool.line.forwards  # set on the SIM, and the SIM is out of stock
    assert await _agent_stock(agent) == in_stock - 1
    monkeypatch.undo()

    # A new worker process (its own context) on the same database and clock.
    worker = HubContext(settings=hub.ctx.settings, db=hub.ctx.db, clock=hub.clock)
    try:
        # Within the set's lease: it may still answer.
        assert await tasks.run_once(worker.forwarding) == 0
        assert phone in pool.line.forwards
        lease = service.set_lease(hub.ctx.settings, hub.clock.now()) - hub.clock.now()
        assert lease.total_seconds() < 120
        hub.clock.advance(120)  # well past any FORWARD_SET's answer
        assert await tasks.run_once(worker.forwarding) == 1
        assert await tasks.run_once(worker.forwarding) == 0  # cancelled once
    finally:
        await worker.close_http()
    assert pool.line.forwards == {}
    active = await agent.db.run(lambda c: c.execute("SELECT active FROM forwardings").fetchall())
    assert [row[0] for row in active] == [0]
    (forwarding,) = (await hub.api("forwardingList", buyer))["forwardingList"]["data"]
    assert forwarding["status"] == 3
    assert await _agent_stock(agent) == in_stock - 1  # only its open activation holds it now

    # The rental the buyer never heard of runs out and is refunded; the books balance.
    hub.clock.advance(dt.timedelta(hours=1).total_seconds())
    await hub.tick()
    async with hub.ctx.db.read() as session:
        assert await ledger.check(session) == []
        (account_id,) = (await session.execute(text("SELECT id FROM accounts"))).scalars()
        books = await ledger.balance(session, account_id)
    assert (books.held, books.captured) == (0, 0)
    assert await _agent_stock(agent) == in_stock  # told FINISH, the SIM can be sold again

"""A stock poll the agent fails: one fault counted per poll, the poll ended and its lease
released, so the next poll is not held off and the agent's back-off is measured from it."""

from __future__ import annotations

import asyncio

from simgate.suppliers import repository as suppliers_repo
from simgate.suppliers import service as suppliers
from simgate.worker import jobs


async def test_each_failed_stock_poll_counts_one_fault_and_ends_the_poll(hub, connect_agent):
    agent = await connect_agent()
    agent.key = "not-the-key-the-hub-sends"  # the agent now refuses GET_SERVICES
    hub.ctx.settings.stock_poll_seconds = 0  # due again at every pass
    for polls in (1, 2):
        hub.clock.advance(1)
        assert await jobs.poll_stock(hub.ctx) == 0
        async with hub.ctx.db.read() as session:
            supplier = await suppliers.get(session, "agent1")
        assert supplier.consecutive_failures == polls
        assert (supplier.last_error or "").startswith("GET_SERVICES")
        assert supplier.last_error_at == supplier.last_poll_at == hub.clock.now()
        assert supplier.poll_locked_until is None


async def test_an_agent_that_does_not_answer_keeps_no_other_agents_stock_stale(hub, connect_agent):
    dead = await connect_agent("dead")  # polled first: the lower id
    live = await connect_agent("live")
    dead.services_mode = "hang"
    live.stock = {"vk": 7}
    hub.clock.advance(hub.ctx.settings.stock_poll_seconds + 1)
    answered = live.services_answered
    polls = asyncio.create_task(jobs.poll_stock(hub.ctx))
    async with asyncio.timeout(30):
        await live.services_sent(answered + 1)
    # The dead agent's poll has not ended: the live one did not wait for it.
    async with hub.ctx.db.read() as session:
        assert (await suppliers.get(session, "dead")).consecutive_failures == 0
    assert not polls.done()
    assert await polls == 1
    assert await vk_stock(hub, "live") == 7
    async with hub.ctx.db.read() as session:
        assert (await suppliers.get(session, "dead")).consecutive_failures == 1


async def vk_stock(hub, name: str) -> int:
    async with hub.ctx.db.read() as session:
        supplier = await suppliers.get(session, name)
        stock = await suppliers_repo.stock_of(session, supplier.id)
    return sum(s.count for s in stock if s.service_code == "vk")

"""A stock poll the agent fails: one fault counted per poll, the poll ended and its lease
released, so the next poll is not held off and the agent's back-off is measured from it."""

from __future__ import annotations

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

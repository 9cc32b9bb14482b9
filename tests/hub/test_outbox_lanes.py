"""The worker performs each agent's FINISH_ACTIVATION calls in a lane of their own: an agent
that does not answer holds up only its own, and only AGENT_IN_FLIGHT of them per tick."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from simgate.activations import tasks
from simgate.activations.lifecycle import enqueue_finish
from simgate.models import OutboxMessage
from simgate.suppliers import service as suppliers
from simgate.worker import jobs

PER_AGENT = 6


async def owe_finishes(hub, name: str) -> int:
    """Queue PER_AGENT FINISH_ACTIVATION calls to an agent; its supplier id."""
    async with hub.ctx.db.transaction() as session:
        supplier = await suppliers.get(session, name)
        for n in range(PER_AGENT):
            await enqueue_finish(
                session, supplier.id, 1000 + n, 3, hub.clock.now(), dedupe=f"{name}:{n}"
            )
    return supplier.id


async def outbox_of(hub, supplier_id: int) -> list[OutboxMessage]:
    async with hub.ctx.db.read() as session:
        query = select(OutboxMessage).where(OutboxMessage.supplier_id == supplier_id)
        return list((await session.execute(query)).scalars())


async def test_an_agent_that_does_not_answer_holds_up_only_its_own_finishes(hub, connect_agent):
    await connect_agent("dead", finish_mode="hang")
    live = await connect_agent("live")
    dead_id = await owe_finishes(hub, "dead")
    hub.clock.advance(1)  # the dead agent's calls are due first
    await owe_finishes(hub, "live")
    drain = asyncio.create_task(jobs.drain_outbox(hub.ctx))
    async with asyncio.timeout(30):
        await live.finished(PER_AGENT)
    # Not one call to the dead agent has ended yet: none of the live agent's waited for one.
    assert all(m.last_error is None for m in await outbox_of(hub, dead_id))
    assert not drain.done()
    assert await drain == PER_AGENT
    attempts = sorted(m.attempts for m in await outbox_of(hub, dead_id))
    # Its lane stopped at the first fault: the calls already in flight, and no more.
    assert attempts == [0] * (PER_AGENT - tasks.AGENT_IN_FLIGHT) + [1] * tasks.AGENT_IN_FLIGHT

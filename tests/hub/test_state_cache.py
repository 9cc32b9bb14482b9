"""getState from memory: exact for this process's commits, bounded staleness for others'."""

from __future__ import annotations

from sqlalchemy import update

from simgate.activations.states import State
from simgate.core.db import Database
from simgate.models import Activation


async def test_push_is_visible_at_once_with_the_cache_on(hub, buyer, connect_agent):
    assert hub.ctx.state_cache.ttl > 0
    agent = await connect_agent()
    reply = await hub.api("getNum", buyer, service="vk", number=1)
    tzid, phone = reply["tzid"], int(reply["number"].lstrip("+"))
    assert (await hub.api("getState", buyer, tzid=tzid))[0]["msg"] is False
    await hub.push(agent.key, 1, phone, "VK: 10101")
    assert (await hub.api("getState", buyer, tzid=tzid, message_to_code=1))[0]["msg"] == "10101"
    await hub.api("setOperationOk", buyer, tzid=tzid)
    assert (await hub.api("getState", buyer, tzid=tzid))[0]["response"] == "TZ_OVER_OK"


async def test_another_process_change_shows_within_the_ttl(hub, buyer, connect_agent, database_url):
    hub.ctx.state_cache.ttl = 5
    await connect_agent()
    tzid = (await hub.api("getNum", buyer, service="vk"))["tzid"]
    assert (await hub.api("getState", buyer, tzid=tzid))[0]["response"] == "TZ_NUM_WAIT"
    other = Database(database_url)  # another process's connection: no invalidation here
    try:
        async with other.transaction() as session:
            await session.execute(
                update(Activation).where(Activation.id == tzid).values(state=State.OVER_EMPTY.value)
            )
    finally:
        await other.dispose()
    assert (await hub.api("getState", buyer, tzid=tzid))[0]["response"] == "TZ_NUM_WAIT"
    hub.clock.advance(4.9)
    assert (await hub.api("getState", buyer, tzid=tzid))[0]["response"] == "TZ_NUM_WAIT"
    hub.clock.advance(0.2)
    assert (await hub.api("getState", buyer, tzid=tzid))[0]["response"] == "TZ_OVER_EMPTY"

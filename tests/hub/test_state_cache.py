"""getState from memory: exact for every commit made through simgate, in this process or
another; a change made behind simgate's back shows within the ttl (PostgreSQL) or at once
(SQLite, whose signal is any commit at all)."""

from __future__ import annotations

import asyncio

from sqlalchemy import update

from simgate.activations import flows
from simgate.activations.states import State
from simgate.core.changes import Changes, account_topic
from simgate.core.db import Database
from simgate.models import Activation
from tests.hub.conftest import Hub


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


async def heard_by(hub: Hub, account_id: int) -> asyncio.Event:
    """Set once the hub's feed hears a change to the account (or to everything)."""
    heard = asyncio.Event()

    def listener(changes: Changes) -> None:
        if changes.touches(account_topic(account_id)):
            heard.set()

    hub.ctx.db.changes.subscribe(listener)
    return heard


async def open_rental(hub: Hub, buyer: str) -> tuple[int, int]:
    tzid = (await hub.api("getNum", buyer, service="vk"))["tzid"]
    assert (await hub.api("getState", buyer, tzid=tzid))[0]["response"] == "TZ_NUM_WAIT"
    async with hub.ctx.db.read() as session:
        activation = await session.get(Activation, tzid)
        assert activation is not None
    return tzid, activation.account_id


async def test_another_process_commit_shows_without_waiting_for_the_ttl(
    hub, buyer, connect_agent, database_url
):
    hub.ctx.state_cache.ttl = 3600  # only the change feed can make the change visible
    await connect_agent()
    tzid, account_id = await open_rental(hub, buyer)
    heard = await heard_by(hub, account_id)
    other = Database(database_url)  # another process's engine and change feed
    try:
        await flows.cancel(other, hub.clock, account_id, tzid)
    finally:
        await other.dispose()
    if not hub.ctx.db.is_sqlite:
        # PostgreSQL delivers the NOTIFY to this process's listening connection on its own
        # time (milliseconds); SQLite's signal is looked at before every cached read.
        await asyncio.wait_for(heard.wait(), 30)
    assert (await hub.api("getState", buyer, tzid=tzid))[0]["response"] == "TZ_OVER_EMPTY"
    assert (await hub.api("getBalance", buyer))["zbalance"] == 0


async def test_a_change_behind_simgates_back_shows_within_the_ttl(
    hub, buyer, connect_agent, database_url
):
    hub.ctx.state_cache.ttl = 5
    await connect_agent()
    tzid, _account_id = await open_rental(hub, buyer)
    other = Database(database_url)  # raw SQL: nothing marks the account
    try:
        async with other.transaction() as session:
            await session.execute(
                update(Activation).where(Activation.id == tzid).values(state=State.OVER_EMPTY.value)
            )
    finally:
        await other.dispose()
    # A commit that names no topic drops nothing, on SQLite as on PostgreSQL: only the ttl.
    assert (await hub.api("getState", buyer, tzid=tzid))[0]["response"] == "TZ_NUM_WAIT"
    hub.clock.advance(4.9)
    assert (await hub.api("getState", buyer, tzid=tzid))[0]["response"] == "TZ_NUM_WAIT"
    hub.clock.advance(0.2)
    assert (await hub.api("getState", buyer, tzid=tzid))[0]["response"] == "TZ_OVER_EMPTY"

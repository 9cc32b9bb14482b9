"""Activations store the domain's form and state; onlinesim's words exist only on its wire,
and migration 0011 rewrites rows stored in onlinesim's words (and back on downgrade)."""

from __future__ import annotations

import asyncio

from alembic import command
from sqlalchemy import select

from simgate.core.migrate import alembic_config
from simgate.models import Activation


async def _stored(hub, tzid: int) -> tuple[str, str]:
    async with hub.ctx.db.read() as session:
        row = (await session.execute(select(Activation).where(Activation.id == tzid))).scalar_one()
        return row.form, row.state


async def test_storage_is_neutral_and_onlinesim_renders_its_words(hub, buyer, connect_agent):
    await connect_agent(stock={"vk": 0})
    tzid = (await hub.api("getNum", buyer, service="vk", form=3))["tzid"]
    assert await _stored(hub, tzid) == ("deferred", "pending")
    shown = (await hub.api("getState", buyer, tzid=tzid))[0]
    assert (shown["form"], shown["response"]) == ("deferr", "TZ_INPOOL")
    # onlinesim's form filter speaks its words, the rows keep the domain's.
    assert [s["tzid"] for s in await hub.api("getState", buyer, form="3")] == [tzid]
    assert await hub.api("getState", buyer, form="1") == {"response": "ERROR_NO_OPERATIONS"}


async def test_migration_rewrites_stored_words_both_ways(
    hub, buyer, connect_agent, database_url: str
):
    await connect_agent(stock={"vk": 3})
    online = (await hub.api("getNum", buyer, service="vk"))["tzid"]
    assert await _stored(hub, online) == ("online", "waiting")
    config = alembic_config(database_url)
    await asyncio.to_thread(command.downgrade, config, "activation_words@-1")
    try:
        assert await _stored(hub, online) == ("index", "TZ_NUM_WAIT")
    finally:
        await asyncio.to_thread(command.upgrade, config, "heads")
    assert await _stored(hub, online) == ("online", "waiting")
    assert (await hub.api("getState", buyer, tzid=online))[0]["response"] == "TZ_NUM_WAIT"

"""A worker tick runs every job even when one of them fails."""

from __future__ import annotations

import logging

import pytest


async def test_a_failing_stock_poll_does_not_skip_the_rest_of_the_tick(
    hub, make_buyer, connect_agent, caplog: pytest.LogCaptureFixture
):
    good = await connect_agent("good")
    liar = await connect_agent("liar")
    key = await make_buyer()
    tzid = (await hub.api("getNum", key, service="vk"))["tzid"]
    # Two services the catalog does not know are summed under `ot`: a count beyond 64 bits
    # that no database column holds, so storing this stock fails inside the database.
    liar.stock = {"xx": 2**63 - 1, "yy": 2**63 - 1}
    good.stock = {"vk": 7}
    hub.clock.advance(16 * 60)  # the rental expires and both suppliers are due for a poll

    with caplog.at_level(logging.ERROR, logger="simgate.worker.jobs"):
        done = await hub.tick()

    assert done["expired"] == 1  # the job after the failing poll still ran in this tick
    assert done["stock"] == 1  # and the other supplier's poll went through
    assert any("stock poll of supplier" in r.getMessage() for r in caplog.records)
    state = (await hub.api("getState", key, tzid=tzid))[0]
    assert state["response"] == "TZ_OVER_EMPTY"
    assert await hub.api("getBalance", key) == {"response": 1, "balance": "1000.00", "zbalance": 0}

"""An agent that hangs, answers garbage or HTTP 500 never holds getNum past its timeout
and never costs the buyer money."""

from __future__ import annotations

import pytest

from simgate.ledger import service as ledger


@pytest.mark.parametrize(
    ("mode", "word"),
    [
        # The agent's own faults: no agent could answer, so "try again later".
        ("hang", "TRY_AGAIN_LATER"),
        ("garbage", "TRY_AGAIN_LATER"),
        ("http500", "TRY_AGAIN_LATER"),
        # The agent answered: it has no number for this request.
        ("error", "NO_NUMBER"),
        ("no_numbers", "NO_NUMBER"),
    ],
)
async def test_failing_agent_gives_no_number_and_refunds(hub, buyer, connect_agent, mode, word):
    agent = await connect_agent(mode=mode)
    assert await hub.api("getNum", buyer, service="vk") == {"response": word}
    # The answer came while the hanging agent still held the call (it answers after 30 s):
    # the hub gave up at its own timeout, whatever the machine's speed.
    assert agent.hanging == (1 if mode == "hang" else 0)
    assert await hub.api("getBalance", buyer) == {
        "response": 1,
        "balance": "1000.00",
        "zbalance": 0,
    }
    assert await hub.api("getOperations", buyer) == []
    async with hub.ctx.db.read() as session:
        assert await ledger.check(session) == []


async def test_next_agent_is_tried_after_a_hanging_one(hub, buyer, connect_agent):
    hanging = await connect_agent("first", priority=10, mode="hang")
    healthy = await connect_agent("second", priority=1)
    reply = await hub.api("getNum", buyer, service="vk", number=1)
    assert reply["response"] == 1
    assert len(hanging.get_number_calls) == 1 and len(healthy.get_number_calls) == 1
    assert int(reply["number"].lstrip("+")) in healthy.handed.values()


async def test_agent_is_told_the_payout_and_the_numbers_to_avoid(hub, buyer, connect_agent):
    agent = await connect_agent()
    await hub.api("getNum", buyer, service="vk", reject="7900000000,7911")
    call = agent.get_number_calls[-1]
    assert call["service"] == "vk" and call["country"] == "russia"
    assert call["sum"] == 8.4 and call["currency"] == 643
    assert call["exceptionPhoneSet"] == ["7900000000", "7911"]
    first_number = str(next(iter(agent.handed.values())))
    await hub.api("getNum", buyer, service="vk")
    assert first_number in agent.get_number_calls[-1]["exceptionPhoneSet"]


async def test_no_agents_at_all_is_try_again_later(hub, buyer):
    assert await hub.api("getNum", buyer, service="vk") == {"response": "TRY_AGAIN_LATER"}

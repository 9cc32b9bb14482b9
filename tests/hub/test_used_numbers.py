"""A buyer is not handed a number it already rented for the same service within the repeat
window: the newest of those go to the agents as exceptionPhoneSet, and when there are more
than are sent, a number an agent hands out anyway is checked, given back, and the next agent
asked."""

from __future__ import annotations

import pytest

from simgate.activations import rent
from simgate.activations.assign import CANCELLED_STATUS
from tests.hub.standin_agent import StandinAgent

# Phones the stand-in agents hand out, in this order (each skips the ones it is told to avoid).
FIRST, SECOND, THIRD, FOURTH = 79000000001, 79000000002, 79000000003, 79000000004
OTHER_AGENTS = [79110000001]
SENT = 2  # used numbers sent per getNum in these tests (rent.MAX_USED_NUMBERS_SENT)


@pytest.fixture(autouse=True)
def few_numbers_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rent, "MAX_USED_NUMBERS_SENT", SENT)


async def rent_and_close(hub, buyer: str, agent: StandinAgent, service: str) -> int:
    """Rent one number and close the rental without an SMS; the agent may hand it out again.
    The clock moves a second after, so each rental is newer than the one before."""
    reply = await hub.api("getNum", buyer, service=service)
    assert reply["response"] == 1, reply
    number = agent.handed[max(agent.handed)]
    assert await hub.api("setOperationOk", buyer, tzid=reply["tzid"]) == {
        "response": 1,
        "tzid": reply["tzid"],
    }
    agent.handed.clear()
    hub.clock.advance(1)
    return number


async def test_the_newest_used_numbers_of_the_service_go_to_the_agent(hub, buyer, connect_agent):
    agent = await connect_agent(numbers=[FIRST, SECOND, THIRD])
    assert await rent_and_close(hub, buyer, agent, "vk") == FIRST
    assert await rent_and_close(hub, buyer, agent, "wa") == FIRST  # another service: no matter
    assert await rent_and_close(hub, buyer, agent, "vk") == SECOND
    reply = await hub.api("getNum", buyer, service="vk")
    assert reply["response"] == 1
    assert agent.get_number_calls[-1]["exceptionPhoneSet"] == [str(FIRST), str(SECOND)]
    assert agent.handed[max(agent.handed)] == THIRD


async def test_an_older_used_number_an_agent_hands_out_is_given_back(hub, buyer, connect_agent):
    agent = await connect_agent(numbers=[FIRST, SECOND, THIRD, FOURTH])
    for expected in (FIRST, SECOND, THIRD):
        assert await rent_and_close(hub, buyer, agent, "vk") == expected
    # Only the newest two went to the agent: it hands out FIRST, which the hub then refuses.
    assert await hub.api("getNum", buyer, service="vk") == {"response": "NO_NUMBER"}
    assert agent.get_number_calls[-1]["exceptionPhoneSet"] == [str(SECOND), str(THIRD)]
    refused = max(agent.handed)
    assert agent.handed[refused] == FIRST
    await hub.tick()  # the worker sends the FINISH_ACTIVATION that gives it back
    assert (refused, CANCELLED_STATUS) in agent.finishes
    assert (await hub.api("getBalance", buyer))["zbalance"] == 0  # the hold is released


async def test_the_next_agent_is_asked_after_a_used_number(hub, buyer, connect_agent):
    first = await connect_agent(numbers=[FIRST, SECOND, THIRD], priority=1)
    for expected in (FIRST, SECOND, THIRD):
        assert await rent_and_close(hub, buyer, first, "vk") == expected
    second = await connect_agent("agent2", numbers=OTHER_AGENTS)
    reply = await hub.api("getNum", buyer, service="vk", number=1)
    assert reply["response"] == 1, reply
    assert first.handed[max(first.handed)] == FIRST  # asked first, refused by the hub
    assert reply["number"] == f"+{OTHER_AGENTS[0]}"
    assert second.handed[max(second.handed)] == OTHER_AGENTS[0]


async def test_a_number_used_before_the_repeat_window_may_come_again(hub, buyer, connect_agent):
    agent = await connect_agent(numbers=[FIRST, SECOND, THIRD, FOURTH])
    assert await rent_and_close(hub, buyer, agent, "vk") == FIRST
    hub.clock.advance(hub.ctx.settings.repeat_window_days * 86400 + 60)
    await hub.tick()
    agent.numbers = [SECOND, THIRD, FOURTH]
    for expected in (SECOND, THIRD, FOURTH):
        assert await rent_and_close(hub, buyer, agent, "vk") == expected
    # More used numbers than are sent, so the hub checks the one handed out: FIRST is older
    # than the window.
    agent.numbers = [FIRST, SECOND, THIRD, FOURTH]
    reply = await hub.api("getNum", buyer, service="vk", number=1)
    assert agent.get_number_calls[-1]["exceptionPhoneSet"] == [str(THIRD), str(FOURTH)]
    assert reply["response"] == 1, reply
    assert reply["number"] == f"+{FIRST}"

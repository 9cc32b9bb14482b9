"""One buyer cannot hurt the others: a bad reject list is refused at the edge, an agent's
refusal of one request is not counted against the agent, a request no agent can fill does not
empty the stock everyone else sees, and a dead agent is not waited on by every getNum."""

from __future__ import annotations

import pytest

from simgate.ledger import service as ledger
from simgate.suppliers import repository as suppliers_repo
from simgate.suppliers import service as suppliers

FULL_BALANCE = {"response": 1, "balance": "1000.00", "zbalance": 0}


async def supplier_state(hub, name: str = "agent1") -> tuple[int, int]:
    """(consecutive failures, cached vk stock) of a supplier."""
    async with hub.ctx.db.read() as session:
        supplier = await suppliers.get(session, name)
        stock = {
            s.service_code: s.count for s in await suppliers_repo.stock_of(session, supplier.id)
        }
        return supplier.consecutive_failures, stock["vk"]


@pytest.mark.parametrize(
    "reject",
    [
        "abc",
        "7911,x",
        "+7 911",
        "1234567890123456",  # 16 digits: longer than any phone number
        ",".join(str(79000 + n) for n in range(101)),  # more than 100 prefixes
        '["7911", {"a": 1}]',
    ],
)
async def test_malformed_reject_is_error_params_and_never_reaches_an_agent(
    hub, buyer, connect_agent, reject
):
    agent = await connect_agent(strict=True)
    assert await hub.api("getNum", buyer, service="vk", reject=reject) == {
        "response": "ERROR_PARAMS"
    }
    assert agent.get_number_calls == []
    assert await hub.api("getBalance", buyer) == FULL_BALANCE


async def test_one_buyers_bad_reject_lists_leave_other_buyers_served(
    hub, make_buyer, connect_agent
):
    agent = await connect_agent(strict=True)
    spoiler, other = await make_buyer("spoiler"), await make_buyer("other")
    for _ in range(10):
        reply = await hub.api("getNum", spoiler, service="vk", reject="abc,7911")
        assert reply == {"response": "ERROR_PARAMS"}
    assert (await hub.api("getNum", other, service="vk"))["response"] == 1
    assert len(agent.get_number_calls) == 1
    assert (await supplier_state(hub))[0] == 0


async def test_an_agent_refusing_one_buyers_requests_stays_in_service(
    hub, make_buyer, connect_agent
):
    # Past the hub's check, but this agent will not exclude a whole country code.
    agent = await connect_agent(strict=True, min_prefix_digits=4)
    spoiler, other = await make_buyer("spoiler"), await make_buyer("other")
    for _ in range(10):
        assert await hub.api("getNum", spoiler, service="vk", reject="7") == {
            "response": "NO_NUMBER"
        }
    assert len(agent.get_number_calls) == 10
    assert await supplier_state(hub) == (0, 50)  # neither ill nor empty
    assert (await hub.api("getNum", other, service="vk"))["response"] == 1
    assert await hub.api("getBalance", spoiler) == FULL_BALANCE


@pytest.mark.parametrize("form", [1, 3])
async def test_a_request_no_agent_can_fill_leaves_the_stock_to_others(
    hub, make_buyer, connect_agent, form
):
    agent = await connect_agent()  # every number it has starts with 7900
    picky, other = await make_buyer("picky"), await make_buyer("other")
    reply = await hub.api("getNum", picky, service="vk", form=form, reject="7900")
    if form == 3:
        assert reply["response"] == 1
        await hub.tick()  # the worker asks the agent for the deferred request
    else:
        assert reply == {"response": "NO_NUMBER"}
    assert agent.get_number_calls[-1]["exceptionPhoneSet"] == ["7900"]
    assert await supplier_state(hub) == (0, 50)
    assert (await hub.api("getNum", other, service="vk"))["response"] == 1


async def test_no_numbers_to_a_plain_request_empties_the_cached_stock(hub, buyer, connect_agent):
    agent = await connect_agent(mode="no_numbers")
    assert await hub.api("getNum", buyer, service="vk") == {"response": "NO_NUMBER"}
    assert await supplier_state(hub) == (0, 0)
    # Nobody asks an agent that just said it has nothing, until its next stock poll.
    assert await hub.api("getNum", buyer, service="vk") == {"response": "NO_NUMBER"}
    assert len(agent.get_number_calls) == 1


async def test_a_dead_agent_is_not_waited_on_until_its_back_off_ends(
    hub, make_buyer, connect_agent
):
    agent = await connect_agent(mode="hang")
    first, second = await make_buyer("first"), await make_buyer("second")
    assert await hub.api("getNum", first, service="vk") == {"response": "TRY_AGAIN_LATER"}
    assert len(agent.get_number_calls) == 1
    # Its stock is still on record, but it is backing off: answered at once, nobody waits.
    assert await hub.api("getNum", second, service="vk") == {"response": "TRY_AGAIN_LATER"}
    assert len(agent.get_number_calls) == 1
    for key in (first, second):
        assert await hub.api("getBalance", key) == FULL_BALANCE
        assert await hub.api("getOperations", key) == []
    async with hub.ctx.db.read() as session:
        assert await ledger.check(session) == []

    agent.mode = "ok"
    hub.clock.advance(suppliers.BACKOFF_FIRST_SECONDS)
    assert (await hub.api("getNum", second, service="vk"))["response"] == 1
    assert len(agent.get_number_calls) == 2
    assert (await supplier_state(hub))[0] == 0


async def test_a_dead_agent_is_skipped_while_a_healthy_one_serves(hub, make_buyer, connect_agent):
    dead = await connect_agent("dead", priority=10, mode="hang")
    healthy = await connect_agent("healthy", priority=1)
    first, second = await make_buyer("first"), await make_buyer("second")
    assert (await hub.api("getNum", first, service="vk"))["response"] == 1
    assert (await hub.api("getNum", second, service="vk"))["response"] == 1
    assert len(dead.get_number_calls) == 1
    assert len(healthy.get_number_calls) == 2

"""The forwarding methods' parameters, paging, ownership and refusals."""

from __future__ import annotations

import json
from typing import Any

from simgate.agent.runtime import AgentRuntime
from simgate.ledger import service as ledger
from simgate.worker import jobs
from tests.hub.conftest import Hub


async def balance(hub: Hub, key: str) -> str:
    return (await hub.api("getBalance", key))["balance"]  # type: ignore[no-any-return]


async def test_forward_parameters_are_checked_before_renting(hub, buyer, agent):
    before = await balance(hub, buyer)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"forward_number": "9161234567", "form": 3}, "NO_FORWARD_FOR_DEFFER"),
        ({"forward_number": "916123456"}, "ERROR_LENGTH_NUMBER_FOR_FORWARD"),
        ({"forward_number": "+1 916 123"}, "ERROR_LENGTH_NUMBER_FOR_FORWARD"),
        ({"forward_number": "9161234567", "forward_minutes": 51}, "ERROR_PARAMS"),
    ]
    for params, word in cases:
        assert await hub.api("getNum", buyer, service="vk", **params) == {"response": word}
    assert await balance(hub, buyer) == before
    # "+7…" and "8…" spellings mean the same number as the spec's "without +7".
    for spelling in ("+79161234567", "89161234567"):
        reply = await hub.api("getNum", buyer, service="vk", forward_number=spelling)
        state = (await hub.api("getState", buyer, tzid=reply["tzid"]))[0]
        assert state["forward_number"] == 9161234567


async def test_an_agent_without_forwarding_answers_no_number_for_forward(hub, buyer, connect_agent):
    standin = await connect_agent()
    before = await balance(hub, buyer)
    reply = await hub.api("getNum", buyer, service="vk", forward_number="9161234567")
    assert reply == {"response": "NO_NUMBER_FOR_FORWARD"}
    assert await balance(hub, buyer) == before  # the rental was refunded
    await jobs.drain_outbox(hub.ctx)
    assert [status for _, status in standin.finishes] == [4]  # and given back to the agent
    async with hub.ctx.db.read() as session:
        assert await ledger.check(session) == []


async def _rent_many(hub: Hub, key: str, count: int) -> list[int]:
    tzids = []
    for n in range(count):
        number = f"916000{n:04d}"
        reply = await hub.api("getNum", key, service="vk", forward_number=number)
        assert reply["response"] == 1, reply
        tzids.append(reply["tzid"])
    return tzids


async def test_forwarding_list_pages_sorts_and_hides_other_accounts(
    hub, make_buyer, agent: AgentRuntime
):
    key = await make_buyer("owner")
    other = await make_buyer("other")
    await _rent_many(hub, key, 11)
    first = (await hub.api("forwardingList", key))["forwardingList"]
    assert {k: v for k, v in first.items() if k != "data"} == {
        "total": 11,
        "per_page": 10,
        "current_page": 1,
        "last_page": 2,
        "next_page_url": "/api/forwardingList.php?page=2",
        "prev_page_url": None,
        "from": 1,
        "to": 10,
    }
    second = (await hub.api("forwardingList", key, page=2))["forwardingList"]
    assert (second["from"], second["to"], len(second["data"])) == (11, 11, 1)
    assert second["prev_page_url"] == "/api/forwardingList.php?page=1"
    assert second["next_page_url"] is None

    sort = json.dumps({"forward_number": "DESC"})
    ordered = (await hub.api("forwardingList", key, sort=sort))["forwardingList"]["data"]
    numbers = [row["forward_number"] for row in ordered]
    assert numbers == sorted(numbers, reverse=True) and numbers[0] == 9160000010
    for bad in ('{"password":"ASC"}', '{"number":"SIDEWAYS"}', "not json"):
        assert await hub.api("forwardingList", key, sort=bad) == {"response": "ERROR_PARAMS"}

    one = await hub.api("forwardingList", key, id=ordered[0]["id"])
    assert one["response"] == 1 and one["forwarding"] == ordered[0]
    assert set(one["forwarding"]) >= {
        "id", "id_user", "minutes", "status", "id_number", "number", "forward_number",
        "created_at", "updated_at", "extension", "data",
    }  # fmt: skip
    methods = ("forwardingList", "forwardingSave", "forwardingRemove", "getForwardPaymentsList")
    for method in methods:
        assert await hub.api(method, other, id=ordered[0]["id"]) == {"response": "ERROR_WRONG_ID"}
    assert (await hub.api("forwardingList", other))["forwardingList"]["total"] == 0
    assert await hub.api("forwardingSave", key) == {"response": "ERROR_PARAMS"}
    assert await hub.api("forwardingRemove", key, id=2**70) == {"response": "ERROR_WRONG_ID"}


async def test_forwarding_save_moves_the_forwarding_on_the_agent(hub, buyer, agent):
    reply = await hub.api("getNum", buyer, service="vk", number=1, forward_number="9161234567")
    phone = int(reply["number"])
    listed = (await hub.api("forwardingList", buyer))["forwardingList"]["data"][0]
    saved = await hub.api("forwardingSave", buyer, id=listed["id"], forward_number="9037654321")
    assert saved == {"response": 1}
    assert agent.simulated.line.forwards[phone] == 79037654321
    state = (await hub.api("getState", buyer, tzid=reply["tzid"]))[0]
    assert state["forward_number"] == 9037654321
    bad = await hub.api("forwardingSave", buyer, id=listed["id"], forward_number="12")
    assert bad == {"response": "ERROR_LENGTH_NUMBER_FOR_FORWARD"}
    assert await hub.api("forwardingSave", buyer, id=listed["id"], minutes=60) == {
        "response": "ERROR_PARAMS"
    }

"""Issue 9 §3: repeat rental (getNumRepeat) with simgate's own agent. The agent keeps a SIM sold
for a service out of its plain stock, yet hands exactly that SIM to a GET_NUMBER naming it —
the hub asks so only for the buyer who bought the number."""

from __future__ import annotations

from typing import Any

from simgate.suppliers.client import Endpoint
from simgate.worker import jobs
from tests.hub.conftest import Hub, reference_agent
from tests.hub.test_with_reference_agent import vk_stock, wait_for_code


async def rent_and_finish(hub: Hub, buyer: str, method: str, **params: Any) -> dict[str, Any]:
    reply = await hub.api(method, buyer, service="vk", **params)
    assert reply["response"] == 1, reply
    state = await wait_for_code(hub, buyer, reply["tzid"])
    assert state["msg"].isdigit()
    assert (await hub.api("setOperationOk", buyer, tzid=reply["tzid"]))["response"] == 1
    assert await jobs.drain_outbox(hub.ctx) == 1  # FINISH_ACTIVATION status 3 reached the agent
    return state


async def test_repeat_rental_gets_the_same_number_again(hub, make_buyer, tmp_path):
    buyer = await make_buyer("buyer")
    other = await make_buyer("other")
    async with reference_agent(
        hub, tmp_path / "agent", simulate=1, sim_sms_delay_seconds=0.1, push_retry_seconds=0.5
    ) as agent:
        endpoint = Endpoint(agent.url, "bank-key", 3.0)
        first = await rent_and_finish(hub, buyer, "getNum", number=1)
        phone = first["number"].lstrip("+")
        # Sold for vk: the plain stock no longer offers the only SIM for vk.
        assert await vk_stock(hub, endpoint) == 0
        await jobs.poll_stock(hub.ctx)
        assert await hub.api("getNum", other, service="vk") == {"response": "NO_NUMBER"}
        refused = await hub.api("getNumRepeat", other, service="vk", number=phone)
        assert refused["response"] != 1, refused  # not the other buyer's number

        again = await rent_and_finish(hub, buyer, "getNumRepeat", number=phone)
        assert again["number"] == first["number"] and again["form"] == "repeat"
        assert await vk_stock(hub, endpoint) == 0
        # And once more: a repeat that was itself sold can be repeated.
        third = await rent_and_finish(hub, buyer, "getNumRepeat", number=phone)
        assert third["number"] == first["number"]

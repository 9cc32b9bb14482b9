"""simgate's hub and simgate's agent over real HTTP on loopback: rent, SMS, code, finish;
the agent's stock follows."""

from __future__ import annotations

import asyncio
from typing import Any

from simgate.suppliers.client import Endpoint
from simgate.worker import jobs
from tests.hub.conftest import Hub, reference_agent


async def wait_for_code(hub: Hub, key: str, tzid: int) -> dict[str, Any]:
    for _ in range(100):
        state = (await hub.api("getState", key, tzid=tzid, message_to_code=1))[0]
        if state["response"] == "TZ_NUM_ANSWER":
            return state  # type: ignore[no-any-return]
        await asyncio.sleep(0.05)
    raise AssertionError(f"no code arrived: {state}")


async def vk_stock(hub: Hub, endpoint: Endpoint) -> int:
    lines = await hub.ctx.agents.get_services(endpoint)
    return sum(line.count for line in lines if line.service == "vk")


async def test_rent_sms_code_finish_with_the_reference_agent(hub, buyer, tmp_path):
    async with reference_agent(
        hub, tmp_path / "agent", simulate=3, sim_sms_delay_seconds=0.1, push_retry_seconds=0.5
    ) as agent:
        endpoint = Endpoint(agent.url, "bank-key", 3.0)
        assert await vk_stock(hub, endpoint) == 3

        reply = await hub.api("getNum", buyer, service="vk", number=1)
        assert reply["response"] == 1, reply
        assert await vk_stock(hub, endpoint) == 2
        state = await wait_for_code(hub, buyer, reply["tzid"])
        assert state["number"] == reply["number"]
        assert state["msg"].isdigit()

        assert (await hub.api("setOperationOk", buyer, tzid=reply["tzid"]))["response"] == 1
        assert (await jobs.drain_outbox(hub.ctx)) == 1
        # Sold for vk: that SIM is never offered for vk again, but is for other services.
        assert await vk_stock(hub, endpoint) == 2
        lines = await hub.ctx.agents.get_services(endpoint)
        assert sum(line.count for line in lines if line.service == "wa") == 3

        cancelled = await hub.api("getNum", buyer, service="wa", number=1)
        await hub.api("setOperationOk", buyer, tzid=cancelled["tzid"])
        await jobs.drain_outbox(hub.ctx)
        lines = await hub.ctx.agents.get_services(endpoint)
        assert sum(line.count for line in lines if line.service == "wa") == 3
    assert await hub.api("getBalance", buyer) == {"response": 1, "balance": "986.00", "zbalance": 0}

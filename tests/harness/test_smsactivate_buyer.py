"""The harness's sms-activate buyer against a real hub: what it records is what the hub did.

A buyer that misreads the dialect would make every chaos run report disagreements that are
the harness's own (or hide real ones); here its record, read back with the same end checks
a run uses, must agree with the hub over loopback.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable

from chaos import checks
from chaos.buyer_smsactivate import SmsActivateBuyer
from chaos.buyers import SeenRental
from tests.hub.conftest import Hub
from tests.hub.standin_agent import StandinAgent


class ScriptedBuyer(SmsActivateBuyer):
    """The harness's buyer with a fixed plan: on its first rental an SMS comes, it asks for
    another code that never comes, and finishes; its second rental gets no SMS."""

    def __init__(self, hub: Hub, agent: StandinAgent, key: str) -> None:
        super().__init__("buyer0", key, [hub.url], random.Random(5), lambda phone, tzid: None)
        self.hub, self.agent = hub, agent

    async def play(self, seen: SeenRental) -> None:
        if len(self.record.rentals) == 1:
            await self.hub.push(self.agent.key, 1, int(seen.phone), "VK: 11111 — код")
            assert await self.wait_code(seen, within=10.0)
            assert await self.set_status(seen, 3) == "ACCESS_RETRY_GET"
        await self.finish(seen)


async def test_the_buyers_record_agrees_with_the_hub(
    hub: Hub,
    make_buyer: Callable[..., Awaitable[str]],
    connect_agent: Callable[..., Awaitable[StandinAgent]],
) -> None:
    agent = await connect_agent()
    buyer = ScriptedBuyer(hub, agent, await make_buyer("buyer0"))
    try:
        await buyer.rent_once("vk")
        await buyer.rent_once("vk")
    finally:
        await buyer.close()
    assert buyer.record.refused == {}
    sold, refunded = buyer.record.rentals.values()
    assert (sold.final_word, sold.codes) == ("ACCESS_ACTIVATION", {"11111"})
    assert (refunded.final_word, refunded.codes) == ("ACCESS_CANCEL", set())
    facts = await checks.read_hub(hub.ctx.settings.database_url)
    codes = checks.codes_by_rental(facts)
    assert checks.check_buyers(facts, [buyer.record], codes).problems == []
    assert checks.check_money(facts, [buyer.record], codes).problems == []

"""Races that must not cost anyone money: concurrent rentals, repeated pushes, two workers."""

from __future__ import annotations

import asyncio
import collections
import random
from typing import Any

from simgate.core.db import Database
from simgate.hub.context import HubContext
from simgate.ledger import service as ledger
from simgate.worker import jobs
from tests.hub.conftest import Hub
from tests.hub.standin_agent import StandinAgent

OPEN_LIMITS = {"max_concurrent": 100, "max_getnum_per_minute": 100, "max_parallel_getnum": 100}


async def ledger_ok(hub: Hub) -> None:
    async with hub.ctx.db.read() as session:
        assert await ledger.check(session) == []


async def test_fifty_concurrent_rentals_against_money_for_ten(hub, make_buyer, connect_agent):
    await connect_agent()
    key = await make_buyer("racer", balance=10 * 1400, **OPEN_LIMITS)
    replies = await asyncio.gather(*(hub.api("getNum", key, service="vk") for _ in range(50)))
    won = [r for r in replies if r["response"] == 1]
    lost = [r for r in replies if r["response"] != 1]
    assert len(won) == 10, collections.Counter(r["response"] for r in lost)
    assert {r["response"] for r in lost} == {"WARNING_LOW_BALANCE"}
    assert await hub.api("getBalance", key) == {"response": 1, "balance": "0.00", "zbalance": 140}
    await ledger_ok(hub)


async def test_same_push_ten_times_before_commit_and_after_expiry_is_stored_once(
    hub, buyer, connect_agent
):
    agent: StandinAgent = await connect_agent()
    push_body: dict[str, Any] = {}

    async def push_now() -> Any:
        response = await hub.client.post(f"{hub.url}/push_sms_webhook", json=push_body)
        return response.json()

    # The agent pushes the SMS while the hub is still waiting for its GET_NUMBER reply.
    original = agent._get_number

    async def pushing_get_number(body):
        reply = await original(body)
        number = list(agent.handed.values())[-1]
        push_body.update(
            action="PUSH_SMS",
            smsId=42,
            phone=number,
            phoneFrom="VK",
            text="VK: 31337",
            key=agent.key,
        )
        early = await asyncio.gather(*(push_now() for _ in range(3)))
        assert all(r["status"] in ("SUCCESS", "ERROR") for r in early)
        return reply

    agent._get_number = pushing_get_number  # type: ignore[method-assign]
    tzid = (await hub.api("getNum", buyer, service="vk"))["tzid"]
    state = (await hub.api("getState", buyer, tzid=tzid, message_to_code=1))[0]
    assert state["response"] == "TZ_NUM_ANSWER" and state["msg"] == "31337"

    later = [push_now() for _ in range(4)]
    random.shuffle(later)
    assert all(r == {"status": "SUCCESS"} for r in await asyncio.gather(*later))
    hub.clock.advance(16 * 60)
    await hub.tick()
    after_expiry = await asyncio.gather(*(push_now() for _ in range(3)))
    assert all(r == {"status": "SUCCESS"} for r in after_expiry)

    listed = (await hub.api("getState", buyer, tzid=tzid, msg_list=1))[0]
    assert listed["response"] == "TZ_OVER_OK"
    assert len(listed["msg"]) == 1
    assert await hub.api("getBalance", buyer) == {"response": 1, "balance": "986.00", "zbalance": 0}
    await ledger_ok(hub)


async def test_sms_on_a_number_with_no_rental_is_kept_and_refused(hub, connect_agent):
    agent = await connect_agent()
    first = await hub.push(agent.key, 9, 79001112233, "Hello")
    assert first == {"status": "ERROR", "error": "NO_OPERATION"}
    assert await hub.push(agent.key, 9, 79001112233, "Hello") == first
    assert await hub.push("not-a-key", 10, 79001112233, "Hello") == {
        "status": "ERROR",
        "error": "WRONG_KEY",
    }


async def test_two_workers_expire_each_activation_exactly_once(
    hub, make_buyer, connect_agent, database_url
):
    agent = await connect_agent()
    key = await make_buyer("many", **OPEN_LIMITS)
    for _ in range(20):
        assert (await hub.api("getNum", key, service="vk"))["response"] == 1
    hub.clock.advance(16 * 60)
    second_db = Database(database_url)
    second = HubContext(settings=hub.ctx.settings, db=second_db, clock=hub.clock)
    try:
        closed = await asyncio.gather(
            jobs.expire_activations(hub.ctx), jobs.expire_activations(second)
        )
        assert sum(closed) == 20
        await asyncio.gather(jobs.drain_outbox(hub.ctx), jobs.drain_outbox(second))
    finally:
        await second.close_http()
        await second_db.dispose()
    assert sorted(s for _, s in agent.finishes) == [4] * 20
    assert len({a for a, _ in agent.finishes}) == 20
    assert await hub.api("getBalance", key) == {"response": 1, "balance": "1000.00", "zbalance": 0}
    await ledger_ok(hub)

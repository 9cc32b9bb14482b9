"""Deferred reception (form=3) and repeat reception of numbers bought before."""

from __future__ import annotations

import asyncio
import datetime as dt

from simgate.suppliers import repository as suppliers_repo
from simgate.suppliers import service as suppliers
from simgate.worker import jobs


async def test_deferred_waits_in_pool_until_an_agent_has_a_number(hub, buyer, connect_agent):
    agent = await connect_agent(stock={"vk": 0})
    reply = await hub.api("getNum", buyer, service="vk", form=3)
    tzid = reply["tzid"]
    pooled = (await hub.api("getState", buyer, tzid=tzid))[0]
    assert pooled["response"] == "TZ_INPOOL" and pooled["form"] == "deferr"
    assert "number" not in pooled
    assert await hub.api("getNum", buyer, service="vk", form=3) == {
        "response": "DUPLICATE_OPERATION"
    }
    assert await hub.api("setOperationRevise", buyer, tzid=tzid) == {"response": "NO_COMPLETE_TZID"}
    await hub.tick()
    assert (await hub.api("getState", buyer, tzid=tzid))[0]["response"] == "TZ_INPOOL"

    agent.stock = {"vk": 3}
    hub.clock.advance(20)  # past the stock poll interval and the pool retry delay
    await hub.tick()
    assigned = (await hub.api("getState", buyer, tzid=tzid))[0]
    assert assigned["response"] == "TZ_NUM_WAIT" and assigned["number"].startswith("+79")
    assert (await hub.api("getBalance", buyer))["zbalance"] == 11.9


async def test_deferred_pool_wait_runs_out_and_refunds(hub, buyer, connect_agent):
    await connect_agent(stock={"vk": 0})
    tzid = (await hub.api("getNum", buyer, service="vk", form=3))["tzid"]
    hub.clock.advance(3601)
    await hub.tick()
    assert (await hub.api("getState", buyer, tzid=tzid))[0]["response"] == "TZ_OVER_EMPTY"
    assert await hub.api("getBalance", buyer) == {
        "response": 1,
        "balance": "1000.00",
        "zbalance": 0,
    }


async def test_deferred_cancelled_by_buyer(hub, buyer, connect_agent):
    await connect_agent(stock={"vk": 0})
    tzid = (await hub.api("getNum", buyer, service="vk", form=3))["tzid"]
    assert await hub.api("setOperationOk", buyer, tzid=tzid) == {"response": 1, "tzid": tzid}
    assert (await hub.api("getBalance", buyer))["balance"] == "1000.00"


async def test_deferred_outside_its_hours(hub, buyer, connect_agent):
    await connect_agent()
    hub.ctx.settings = hub.ctx.settings.model_copy(update={"deferred_hours": "8-20"})
    hub.clock.set(dt.datetime(2026, 1, 1, 3, 0))  # 03:00 UTC
    assert await hub.api("getNum", buyer, service="vk", form=3) == {
        "response": "TIME_INTERVAL_ERROR"
    }
    hub.clock.set(dt.datetime(2026, 1, 1, 9, 0))
    assert (await hub.api("getNum", buyer, service="vk", form=3))["response"] == 1


async def _buy(hub, buyer, agent, service="vk") -> str:
    reply = await hub.api("getNum", buyer, service=service, number=1)
    phone: str = reply["number"].lstrip("+")
    await hub.push(agent.key, int(phone) % 100000, int(phone), "VK: 12345")
    await hub.api("setOperationOk", buyer, tzid=reply["tzid"])
    await hub.tick()
    for activation_id, number in list(agent.handed.items()):
        if str(number) == phone:
            agent.release(activation_id)
    return phone


async def test_repeat_reception_of_a_number_bought_before(hub, buyer, connect_agent):
    agent = await connect_agent()
    assert await hub.api("getService", buyer) == {"response": "ERROR_NO_SERVICE_REPEAT"}
    phone = await _buy(hub, buyer, agent)
    assert await hub.api("getService", buyer) == {"response": 1, "service": ["VKcom"]}
    assert await hub.api("getServiceNumber", buyer, service="VKcom") == {
        "response": 1,
        "number": [phone],
    }
    assert await hub.api("getServiceNumber", buyer, service="WhatsApp") == {
        "response": "SERVICE_TO_NUMBER_EMPTY"
    }
    reply = await hub.api("getNumRepeat", buyer, service="VKcom", number=phone)
    assert reply["response"] == 1
    assert agent.get_number_calls[-1]["number"] == int(phone)
    again = (await hub.api("getState", buyer, tzid=reply["tzid"]))[0]
    assert again["form"] == "repeat" and again["number"] == f"+{phone}"
    assert again["sum"] == 8.4


async def test_repeat_refusals(hub, buyer, connect_agent):
    agent = await connect_agent()
    phone = await _buy(hub, buyer, agent)
    assert await hub.api("getNumRepeat", buyer, number=phone) == {"response": "ERROR_NO_SERVICE"}
    assert await hub.api("getNumRepeat", buyer, service="VKcom") == {"response": "ERROR_NO_NUMBER"}
    assert await hub.api("getNumRepeat", buyer, service="VKcom", number="79990000000") == {
        "response": "ERROR_PARAMS"
    }
    assert await hub.api("getNumRepeat", buyer, service="WhatsApp", number=phone) == {
        "response": "ERROR_PARAMS"
    }
    agent.numbers.remove(int(phone))  # the agent no longer offers it
    assert await hub.api("getNumRepeat", buyer, service="VKcom", number=phone) == {
        "response": "NO_NUMBER"
    }
    hub.clock.advance(31 * 24 * 3600)
    assert await hub.api("getNumRepeat", buyer, service="VKcom", number=phone) == {
        "response": "LIFICYCLE_NUM_EXPIRED"
    }


async def test_catalog_listings_follow_agent_stock(hub, buyer, connect_agent):
    await connect_agent(stock={"vk": 10, "wa": 5})
    services = await hub.api("getServiceList", buyer)
    vk = next(s for s in services if s["slug"] == "VKcom")
    assert vk == {
        "id": vk["id"],
        "slug": "VKcom",
        "title": "ВКонтакте",
        "index": "14",
        "repeat": "8.4",
        "deferr": "11.9",
        "limit": "100",
    }
    stats = await hub.api("getNumbersStats", buyer, country=7)
    assert stats["code"] == 7 and stats["services"]["service_VKcom"]["count"] == 10
    assert stats["services"]["service_WhatsApp"]["count"] == 5
    every = await hub.api("getNumbersStats", buyer, country="all")
    assert "7" in every and "380" in every
    assert await hub.api("getPrice", buyer, service="vk") == {"response": 1, "price": 14}
    profile = await hub.api("getProfile", buyer)
    assert profile["profile"]["name"] == "buyer" and profile["profile"]["balance"] == "1000.00"
    async with hub.ctx.db.read() as session:
        assert await suppliers_repo.stock_totals(session) == {
            ("russia", "vk"): 10,
            ("russia", "wa"): 5,
        }


async def test_sandbox_answers_without_touching_money(hub, buyer):
    reply = (await hub.client.get(f"{hub.url}/demo/api/getNum.php?apikey=x&service=VKcom")).json()
    assert reply["response"] == 1 and isinstance(reply["tzid"], int)
    state = (await hub.client.get(f"{hub.url}/demo/api/getState.php?apikey=x&tzid=5")).json()
    assert state[0]["response"] == "TZ_NUM_ANSWER"
    err = await hub.client.get(
        f"{hub.url}/demo/api/setOperationOk.php?apikey=x&tzid=1&err=ERROR_WRONG_TZID"
    )
    assert err.json() == {"response": "ERROR_WRONG_TZID"}
    assert (await hub.client.get(f"{hub.url}/demo/api/getNum.php")).json() == {
        "response": "ERROR_NO_KEY"
    }
    assert (await hub.api("getBalance", buyer))["balance"] == "1000.00"


async def test_deferred_requests_ask_their_agents_side_by_side(hub, make_buyer, connect_agent):
    silent = await connect_agent("silent", priority=1, mode="hang", stock={"vk": 0})
    await connect_agent("spare", stock={"vk": 0})
    buyers = [await make_buyer(f"pool{n}") for n in range(2)]
    for key in buyers:
        assert (await hub.api("getNum", key, service="vk", form=3))["response"] == 1
    silent.stock = {"vk": 5}
    hub.clock.advance(20)
    await jobs.poll_stock(hub.ctx)
    serving = asyncio.create_task(jobs.serve_deferred(hub.ctx))
    async with asyncio.timeout(30):
        await silent.asked_for_numbers(2)
    # Both requests are waiting on the silent agent: neither waited for the other's timeout.
    async with hub.ctx.db.read() as session:
        assert (await suppliers.get(session, "silent")).consecutive_failures == 0
    assert silent.hanging == 2
    assert await serving == 0

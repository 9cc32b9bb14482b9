"""The main job end to end over HTTP: rent, SMS, code, confirm — and every way it can end."""

from __future__ import annotations

from typing import Any

from simgate.ledger import service as ledger
from tests.hub.conftest import Hub

VK_PRICE = 1400  # seeded online price in kopecks


async def balance(hub: Hub, key: str) -> Any:
    return await hub.api("getBalance", key)


async def rent(hub: Hub, key: str, service: str = "vk", **extra: Any) -> tuple[int, int]:
    reply = await hub.api("getNum", key, service=service, number=1, **extra)
    assert reply["response"] == 1, reply
    return reply["tzid"], int(reply["number"].lstrip("+"))


async def state(hub: Hub, key: str, tzid: int, **extra: Any) -> dict[str, Any]:
    reply = await hub.api("getState", key, tzid=tzid, **extra)
    assert isinstance(reply, list) and len(reply) == 1, reply
    return reply[0]  # type: ignore[no-any-return]


async def test_rent_receive_confirm_pays_once_and_finishes_sold(hub, buyer, connect_agent):
    agent = await connect_agent()
    tzid, phone = await rent(hub, buyer)
    waiting = await state(hub, buyer, tzid)
    assert waiting["response"] == "TZ_NUM_WAIT"
    assert waiting["number"] == f"+{phone}"
    assert waiting["msg"] is False
    assert (await balance(hub, buyer))["zbalance"] == 14

    assert (await hub.push(agent.key, 1, phone, "VK: 33708 — код"))["status"] == "SUCCESS"
    answered = await state(hub, buyer, tzid, message_to_code=1)
    assert answered["response"] == "TZ_NUM_ANSWER"
    assert answered["msg"] == "33708"
    assert (await state(hub, buyer, tzid))["msg"] == "VK: 33708 — код"

    assert await hub.api("setOperationOk", buyer, tzid=tzid) == {"response": 1, "tzid": tzid}
    assert await hub.api("setOperationOk", buyer, tzid=tzid) == {"response": 1, "tzid": tzid}
    assert (await state(hub, buyer, tzid))["response"] == "TZ_OVER_OK"
    assert await balance(hub, buyer) == {"response": 1, "balance": "986.00", "zbalance": 0}

    await hub.tick()
    assert agent.finishes == [(next(iter(agent.handed)), 3)]
    async with hub.ctx.db.read() as session:
        assert await ledger.check(session) == []


async def test_revise_shows_the_next_code(hub, buyer, connect_agent):
    agent = await connect_agent()
    tzid, phone = await rent(hub, buyer)
    await hub.push(agent.key, 1, phone, "VK: 11111")
    assert (await state(hub, buyer, tzid, message_to_code=1))["msg"] == "11111"
    assert await hub.api("setOperationRevise", buyer, tzid=tzid) == {"response": 1, "tzid": tzid}
    revised = await state(hub, buyer, tzid, message_to_code=1)
    assert revised["response"] == "TZ_NUM_WAIT"
    assert revised["msg"] is False
    await hub.push(agent.key, 2, phone, "VK: 22222")
    assert (await state(hub, buyer, tzid, message_to_code=1))["msg"] == "22222"
    listed = await state(hub, buyer, tzid, message_to_code=1, msg_list=1)
    assert [m["msg"] for m in listed["msg"]] == ["11111", "22222"]


async def test_finishing_before_any_sms_refunds_in_full(hub, buyer, connect_agent):
    agent = await connect_agent()
    tzid, _ = await rent(hub, buyer)
    await hub.api("setOperationOk", buyer, tzid=tzid)
    assert (await state(hub, buyer, tzid))["response"] == "TZ_OVER_EMPTY"
    assert await balance(hub, buyer) == {"response": 1, "balance": "1000.00", "zbalance": 0}
    await hub.tick()
    assert [status for _, status in agent.finishes] == [4]


async def test_expiry_refunds_when_nothing_came_and_charges_when_a_code_came(
    hub, buyer, connect_agent
):
    agent = await connect_agent()
    empty, _ = await rent(hub, buyer)
    answered, phone = await rent(hub, buyer, service="whatsapp")
    await hub.push(agent.key, 7, phone, "Your WhatsApp code: 123-456", sender="WhatsApp")
    assert (await state(hub, buyer, answered, message_to_code=1))["msg"] == "123456"

    hub.clock.advance(15 * 60 + 1)
    await hub.tick()
    assert (await state(hub, buyer, empty))["response"] == "TZ_OVER_EMPTY"
    assert (await state(hub, buyer, answered))["response"] == "TZ_OVER_OK"
    assert await balance(hub, buyer) == {"response": 1, "balance": "982.00", "zbalance": 0}
    assert sorted(s for _, s in agent.finishes) == [3, 4]
    await hub.tick()  # nothing owed twice
    assert len(agent.finishes) == 2


async def test_ban_sends_finish_1(hub, buyer, connect_agent):
    agent = await connect_agent()
    tzid, phone = await rent(hub, buyer)
    await hub.push(agent.key, 1, phone, "VK: 55555")
    assert await hub.api("setOperationOk", buyer, tzid=tzid, ban=1) == {"response": 1, "tzid": tzid}
    await hub.tick()
    assert [status for _, status in agent.finishes] == [1]
    assert (await balance(hub, buyer))["balance"] == "986.00"


async def test_finish_is_resent_until_the_agent_answers_success(hub, buyer, connect_agent):
    agent = await connect_agent(finish_mode="http500")
    tzid, _ = await rent(hub, buyer)
    await hub.api("setOperationOk", buyer, tzid=tzid)
    await hub.tick()
    assert agent.finishes == []
    agent.finish_mode = "ok"
    await hub.tick()
    assert agent.finishes == []  # not before its retry time
    hub.clock.advance(11)
    await hub.tick()
    assert [s for _, s in agent.finishes] == [4]


async def test_another_accounts_tzid_looks_like_a_missing_one(hub, make_buyer, connect_agent):
    await connect_agent()
    alice = await make_buyer("alice")
    mallory = await make_buyer("mallory")
    tzid, _ = await rent(hub, alice)
    for key, word in ((mallory, "ERROR_WRONG_TZID"),):
        assert await hub.api("setOperationOk", key, tzid=tzid) == {"response": word}
        assert await hub.api("setOperationOk", key, tzid=tzid + 999) == {"response": word}
    assert await hub.api("getState", mallory, tzid=tzid) == {"response": "ERROR_NO_OPERATIONS"}
    assert await hub.api("getState", mallory, tzid=tzid + 999) == {
        "response": "ERROR_NO_OPERATIONS"
    }


async def test_other_service_takes_every_sms_and_sender_name_filters(hub, buyer, connect_agent):
    agent = await connect_agent()
    other, phone_other = await rent(hub, buyer, service="other")
    gett, phone_gett = await rent(hub, buyer, service="Gett")
    await hub.push(agent.key, 1, phone_other, "Code 4321", sender="Whoever")
    assert (await state(hub, buyer, other, message_to_code=1))["msg"] == "4321"
    ignored = await hub.push(agent.key, 2, phone_gett, "Code 9999", sender="Uber")
    assert ignored == {"status": "ERROR", "error": "IGNORED"}
    assert (await state(hub, buyer, gett))["msg"] is False
    await hub.push(agent.key, 3, phone_gett, "Gett code 7777", sender="Gett")
    assert (await state(hub, buyer, gett, message_to_code=1))["msg"] == "7777"

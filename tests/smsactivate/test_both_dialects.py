"""One account, one key, one balance for both buyer dialects: a rental made through either
is seen and closed through the other."""

from __future__ import annotations

from simgate.activations.states import State
from tests.hub.conftest import Hub
from tests.smsactivate.helpers import rent, stored, text


async def test_sms_activate_rental_seen_and_closed_through_onlinesim(
    hub: Hub, buyer: str, connect_agent
) -> None:
    agent = await connect_agent()
    tzid, phone = await rent(hub, buyer)
    assert (await hub.api("getBalance", buyer))["balance"] == "986.00"
    [item] = await hub.api("getState", buyer, tzid=tzid)
    assert (item["tzid"], item["number"], item["response"]) == (tzid, f"+{phone}", "TZ_NUM_WAIT")
    await hub.push(agent.key, 1, phone, "VK: 11111")
    [item] = await hub.api("getState", buyer, tzid=tzid, message_to_code=1)
    assert item["msg"] == "11111"
    assert await hub.api("setOperationOk", buyer, tzid=tzid) == {"response": 1, "tzid": tzid}
    assert await text(hub, buyer, "getStatus", id=tzid) == "STATUS_OK:11111"
    assert await text(hub, buyer, "setStatus", id=tzid, status=6) == "ACCESS_ACTIVATION"
    activation, hold = await stored(hub, tzid)
    assert (activation.state, hold.state) == (State.OVER_OK, "captured")
    assert await text(hub, buyer, "getBalance") == "ACCESS_BALANCE:986.00"


async def test_onlinesim_rental_seen_and_closed_through_sms_activate(
    hub: Hub, buyer: str, connect_agent
) -> None:
    agent = await connect_agent()
    got = await hub.api("getNum", buyer, service="VKcom", number=1)
    tzid, phone = got["tzid"], got["number"].lstrip("+")
    assert await text(hub, buyer, "getBalance") == "ACCESS_BALANCE:986.00"
    assert await text(hub, buyer, "getStatus", id=tzid) == "STATUS_WAIT_CODE"
    rows = (await _active(hub, buyer))["data"]
    assert [(r["activationId"], r["phoneNumber"]) for r in rows] == [(str(tzid), phone)]
    await hub.push(agent.key, 1, int(phone), "VK: 22222")
    assert await text(hub, buyer, "getStatus", id=tzid) == "STATUS_OK:22222"
    assert await text(hub, buyer, "setStatus", id=tzid, status=3) == "ACCESS_RETRY_GET"
    [item] = await hub.api("getState", buyer, tzid=tzid)
    assert item["response"] == "TZ_NUM_WAIT"
    assert await text(hub, buyer, "setStatus", id=tzid, status=6) == "ACCESS_ACTIVATION"
    [item] = await hub.api("getState", buyer, tzid=tzid)
    assert item["response"] == "TZ_OVER_OK"
    assert (await hub.api("getBalance", buyer))["balance"] == "986.00"


async def test_onlinesim_rental_cancelled_through_sms_activate_is_refunded(
    hub: Hub, buyer: str, connect_agent
) -> None:
    await connect_agent()
    tzid = (await hub.api("getNum", buyer, service="VKcom"))["tzid"]
    assert await text(hub, buyer, "setStatus", id=tzid, status=8) == "ACCESS_CANCEL"
    [item] = await hub.api("getState", buyer, tzid=tzid)
    assert item["response"] == "TZ_OVER_EMPTY"
    assert (await hub.api("getBalance", buyer))["balance"] == "1000.00"


async def _active(hub: Hub, key: str) -> dict[str, list[dict[str, str]]]:
    reply = await hub.client.get(
        f"{hub.url}/stubs/handler_api.php",
        params={"api_key": key, "action": "getActiveActivations"},
    )
    result: dict[str, list[dict[str, str]]] = reply.json()
    return result

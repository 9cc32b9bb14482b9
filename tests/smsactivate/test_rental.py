"""The activation actions over HTTP: every reply's shape, and what each step does to the
rental and its money."""

from __future__ import annotations

import datetime as dt

from simgate.activations.states import State
from simgate.ledger import service as ledger
from tests.hub.conftest import Hub
from tests.smsactivate.helpers import VK_PRICE, json_reply, rent, stored, text

TIME = "%Y-%m-%d %H:%M:%S"


async def test_get_number_is_id_and_digits(hub: Hub, buyer: str, connect_agent) -> None:
    await connect_agent()
    tzid, phone = await rent(hub, buyer, country="0", ref="x", forward="0", freePrice="true")
    activation, hold = await stored(hub, tzid)
    assert activation.phone == str(phone)
    assert (hold.state, hold.amount) == ("held", VK_PRICE)
    assert await text(hub, buyer, "getBalance") == "ACCESS_BALANCE:986.00"


async def test_get_number_v2_field_types(hub: Hub, buyer: str, connect_agent) -> None:
    await connect_agent()
    reply = await json_reply(hub, buyer, "getNumberV2", service="vk", json="1")
    activation, _ = await stored(hub, reply["activationId"])
    assert reply == {
        "activationId": activation.id,
        "phoneNumber": activation.phone,
        "activationCost": 14.0,
        "currency": 643,
        "countryCode": "0",
        "canGetAnotherSms": True,
        "activationTime": reply["activationTime"],
        "activationEndTime": reply["activationEndTime"],
        "activationOperator": "any",
    }
    assert isinstance(reply["phoneNumber"], str) and reply["phoneNumber"].isdigit()
    start = dt.datetime.strptime(reply["activationTime"], TIME)
    end = dt.datetime.strptime(reply["activationEndTime"], TIME)
    assert (end - start).total_seconds() == hub.ctx.settings.activation_lifetime_seconds


async def test_status_through_a_code_another_code_and_finish(
    hub: Hub, buyer: str, connect_agent
) -> None:
    agent = await connect_agent()
    tzid, phone = await rent(hub, buyer)

    async def status() -> str:
        return await text(hub, buyer, "getStatus", id=tzid)

    async def sms() -> object:
        return (await json_reply(hub, buyer, "getStatusV2", id=tzid))["sms"]

    assert await status() == "STATUS_WAIT_CODE"
    assert await json_reply(hub, buyer, "getStatusV2", id=tzid) == {
        "verificationType": 0,
        "sms": None,
        "call": None,
    }
    assert await text(hub, buyer, "setStatus", id=tzid, status=1) == "ACCESS_READY"
    # Asking for another code before the first one changes nothing.
    assert await text(hub, buyer, "setStatus", id=tzid, status=3) == "ACCESS_RETRY_GET"
    assert await status() == "STATUS_WAIT_CODE"

    await hub.push(agent.key, 1, phone, "VK: 11111 — код")
    assert await status() == "STATUS_OK:11111"
    first = await sms()
    assert first == {
        "dateTime": hub.clock.now().strftime(TIME),
        "code": "11111",
        "text": "VK: 11111 — код",
    }
    assert await text(hub, buyer, "getFullSms", id=tzid) == "FULL_SMS:VK: 11111 — код"

    assert await text(hub, buyer, "setStatus", id=tzid, status=3) == "ACCESS_RETRY_GET"
    assert await text(hub, buyer, "setStatus", id=tzid, status=3) == "ACCESS_RETRY_GET"
    assert await status() == "STATUS_WAIT_RETRY:11111"
    assert await sms() is None
    assert await text(hub, buyer, "getFullSms", id=tzid) == "STATUS_WAIT_RETRY:11111"

    await hub.push(agent.key, 2, phone, "VK: 22222 — код")
    assert await status() == "STATUS_OK:22222"
    assert (await sms())["code"] == "22222"  # type: ignore[index]

    assert await text(hub, buyer, "setStatus", id=tzid, status=6) == "ACCESS_ACTIVATION"
    assert await text(hub, buyer, "setStatus", id=tzid, status=6) == "ACCESS_ACTIVATION"
    assert await status() == "STATUS_OK:22222"
    activation, hold = await stored(hub, tzid)
    assert (activation.state, hold.state) == (State.OVER_OK, "captured")
    assert await text(hub, buyer, "getBalance") == "ACCESS_BALANCE:986.00"
    async with hub.ctx.db.read() as session:
        assert await ledger.check(session) == []


async def test_a_sale_after_another_code_was_asked_for_shows_its_code(
    hub: Hub, buyer: str, connect_agent
) -> None:
    # Finished while waiting for a second code that never came: the rental is sold and
    # waits for nothing, so its status is the code it was sold with, not WAIT_RETRY.
    agent = await connect_agent()
    tzid, phone = await rent(hub, buyer)
    await hub.push(agent.key, 1, phone, "VK: 11111 — код")
    assert await text(hub, buyer, "setStatus", id=tzid, status=3) == "ACCESS_RETRY_GET"
    assert await text(hub, buyer, "getStatus", id=tzid) == "STATUS_WAIT_RETRY:11111"
    assert await text(hub, buyer, "setStatus", id=tzid, status=6) == "ACCESS_ACTIVATION"
    assert await text(hub, buyer, "getStatus", id=tzid) == "STATUS_OK:11111"
    assert (await json_reply(hub, buyer, "getStatusV2", id=tzid))["sms"]["code"] == "11111"
    assert await text(hub, buyer, "getFullSms", id=tzid) == "FULL_SMS:VK: 11111 — код"


async def test_cancel_before_a_code_refunds_in_full(hub: Hub, buyer: str, connect_agent) -> None:
    await connect_agent()
    for status in ("8", "-1"):
        tzid, _ = await rent(hub, buyer)
        assert await text(hub, buyer, "getBalance") == "ACCESS_BALANCE:986.00"
        assert await text(hub, buyer, "setStatus", id=tzid, status=status) == "ACCESS_CANCEL"
        assert await text(hub, buyer, "setStatus", id=tzid, status=status) == "ACCESS_CANCEL"
        assert await text(hub, buyer, "getStatus", id=tzid) == "STATUS_CANCEL"
        activation, hold = await stored(hub, tzid)
        assert (activation.state, hold.state) == (State.OVER_EMPTY, "released")
        assert await text(hub, buyer, "getBalance") == "ACCESS_BALANCE:1000.00"
        # A closed rental takes no more steps.
        for step in ("1", "3"):
            assert await text(hub, buyer, "setStatus", id=tzid, status=step) == "BAD_STATUS"


async def test_finish_without_a_code_is_a_refunded_cancel(
    hub: Hub, buyer: str, connect_agent
) -> None:
    await connect_agent()
    tzid, _ = await rent(hub, buyer)
    assert await text(hub, buyer, "setStatus", id=tzid, status=6) == "ACCESS_CANCEL"
    activation, hold = await stored(hub, tzid)
    assert (activation.state, hold.state) == (State.OVER_EMPTY, "released")
    assert await text(hub, buyer, "getBalance") == "ACCESS_BALANCE:1000.00"


async def test_cancel_after_a_code_is_refused_and_the_rental_stays_open(
    hub: Hub, buyer: str, connect_agent
) -> None:
    agent = await connect_agent()
    tzid, phone = await rent(hub, buyer)
    await hub.push(agent.key, 1, phone, "VK: 11111")
    assert await text(hub, buyer, "setStatus", id=tzid, status=8) == "BAD_STATUS"
    # still refused once the buyer has asked for another code that has not come
    assert await text(hub, buyer, "setStatus", id=tzid, status=3) == "ACCESS_RETRY_GET"
    assert await text(hub, buyer, "cancelActivation", id=tzid) == "BAD_STATUS"
    activation, hold = await stored(hub, tzid)
    assert (activation.state, hold.state) == (State.NUM_WAIT, "held")
    assert await text(hub, buyer, "finishActivation", id=tzid) == "ACCESS_ACTIVATION"
    assert await text(hub, buyer, "setStatus", id=tzid, status=8) == "BAD_STATUS"
    _, hold = await stored(hub, tzid)
    assert hold.state == "captured"


async def test_cancel_activation_is_set_status_8(hub: Hub, buyer: str, connect_agent) -> None:
    await connect_agent()
    tzid, _ = await rent(hub, buyer)
    assert await text(hub, buyer, "cancelActivation", id=tzid) == "ACCESS_CANCEL"
    assert (await stored(hub, tzid))[1].state == "released"


async def test_active_activations_rows(hub: Hub, buyer: str, connect_agent) -> None:
    agent = await connect_agent()
    first, phone = await rent(hub, buyer)
    second, _ = await rent(hub, buyer)
    closed, _ = await rent(hub, buyer)
    await text(hub, buyer, "setStatus", id=closed, status=8)
    await hub.push(agent.key, 1, phone, "VK: 11111")
    reply = await json_reply(hub, buyer, "getActiveActivations")
    assert reply["status"] == "success"
    assert reply["data"] == reply["activeActivations"]
    rows = reply["data"]
    assert [row["activationId"] for row in rows] == [str(first), str(second)]
    assert rows[0] == {
        "activationId": str(first),
        "serviceCode": "vk",
        "phoneNumber": str(phone),
        "activationCost": 14.0,
        "activationStatus": "2",
        "smsCode": "11111",
        "smsText": "VK: 11111",
        "activationTime": hub.clock.now().strftime(TIME),
        "discount": "0.00",
        "repeated": "0",
        "countryCode": "0",
        "countryName": rows[0]["countryName"],
        "canGetAnotherSms": "1",
        "currency": 643,
    }
    assert rows[1]["activationStatus"] == "1" and rows[1]["smsCode"] is None
    await text(hub, buyer, "setStatus", id=first, status=3)
    paged = await json_reply(hub, buyer, "getActiveActivations", start=0, limit=1)
    assert [row["activationStatus"] for row in paged["data"]] == ["3"]
    assert (await json_reply(hub, buyer, "getActiveActivations", start=1))["data"][0][
        "activationId"
    ] == str(second)


async def test_a_code_with_a_colon_or_no_code_reads_as_one_field(
    hub: Hub, buyer: str, connect_agent
) -> None:
    agent = await connect_agent()
    tzid, phone = await rent(hub, buyer)
    await hub.push(agent.key, 1, phone, "Welcome:\nno digits here")
    assert await text(hub, buyer, "getStatus", id=tzid) == "STATUS_OK:Welcome no digits here"

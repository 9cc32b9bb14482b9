"""Every error word the dialect answers, each from its real condition, and their order when
several apply: BAD_KEY → BAD_ACTION → parameters → NO_BALANCE → NO_NUMBERS."""

from __future__ import annotations

import pytest

from simgate.activations.states import State
from tests.hub.conftest import Hub
from tests.smsactivate.helpers import PATH, call, rent, stored, text


async def test_a_missing_key_is_no_key(hub: Hub) -> None:
    reply = await hub.client.get(f"{hub.url}{PATH}", params={"action": "getBalance"})
    assert (reply.status_code, reply.text) == (200, "NO_KEY")


async def test_blocked_account_is_banned_and_inactive_api_is_account_inactive(
    hub: Hub, make_buyer
) -> None:
    blocked = await make_buyer("blocked", blocked=True)
    assert await text(hub, blocked, "getNumber", service="vk") == "BANNED"
    assert await text(hub, blocked, "noSuchAction") == "BANNED"
    no_api = await make_buyer("no-api", api_access=False)
    assert await text(hub, no_api, "getBalance") == "ACCOUNT_INACTIVE"


@pytest.mark.parametrize("action", ["getNumber", "getNumberV2"])
@pytest.mark.parametrize(
    ("params", "word"),
    [
        ({}, "BAD_SERVICE"),
        ({"service": "nosuch"}, "BAD_SERVICE"),
        ({"service": "vk", "country": "9999"}, "BAD_COUNTRY"),
        ({"service": "vk", "country": "russia"}, "BAD_COUNTRY"),
        ({"service": "vk", "operator": "nosuch"}, "WRONG_OPERATOR"),
        ({"service": "vk", "maxPrice": "13.99"}, "WRONG_MAX_PRICE"),
        ({"service": "vk", "maxPrice": "cheap"}, "WRONG_MAX_PRICE"),
        ({"service": "vk", "maxPrice": "14.001"}, "WRONG_MAX_PRICE"),
        ({"service": "vk", "phoneException": "79,abc"}, "WRONG_EXCEPTION_PHONE"),
    ],
)
async def test_rent_parameter_words(
    hub: Hub, buyer: str, connect_agent, action: str, params: dict[str, str], word: str
) -> None:
    await connect_agent()
    # error words are plain text even on the JSON action
    assert await text(hub, buyer, action, **params) == word
    assert await text(hub, buyer, "getBalance") == "ACCESS_BALANCE:1000.00"


async def test_max_price_at_the_price_and_phone_exceptions_reach_the_agent(
    hub: Hub, buyer: str, connect_agent
) -> None:
    agent = await connect_agent()
    await rent(hub, buyer, maxPrice="14", phoneException="7999,+7998", country="any")
    assert agent.get_number_calls[-1]["exceptionPhoneSet"] == ["7998", "7999"]
    await rent(hub, buyer, maxPrice="14.00", operator="any")


async def test_no_balance_comes_before_no_numbers(hub: Hub, make_buyer, connect_agent) -> None:
    poor = await make_buyer("poor", balance=1000)
    rich = await make_buyer("rich")
    assert await text(hub, poor, "getNumber", service="vk") == "NO_BALANCE"
    assert await text(hub, rich, "getNumber", service="vk") == "NO_NUMBERS"
    # parameters come before money
    assert await text(hub, poor, "getNumber", service="nosuch") == "BAD_SERVICE"
    agent = await connect_agent(mode="no_numbers")
    assert await text(hub, poor, "getNumberV2", service="vk") == "NO_BALANCE"
    assert await text(hub, rich, "getNumberV2", service="vk") == "NO_NUMBERS"
    assert len(agent.get_number_calls) == 1
    assert await text(hub, rich, "getBalance") == "ACCESS_BALANCE:1000.00"


@pytest.mark.parametrize("action", ["getStatus", "getStatusV2", "getFullSms", "setStatus"])
async def test_activation_id_words(hub: Hub, make_buyer, connect_agent, action: str) -> None:
    await connect_agent()
    owner = await make_buyer("owner")
    other = await make_buyer("other")
    tzid, _ = await rent(hub, owner)
    extra = {"status": "1"} if action == "setStatus" else {}
    assert await text(hub, other, action, id=tzid, **extra) == "NO_ACTIVATION"
    assert await text(hub, owner, action, id=tzid + 1000, **extra) == "NO_ACTIVATION"
    assert await text(hub, owner, action, **extra) == "NO_ACTIVATION"
    for wrong in ("abc", "1.5", "-3", str(2**63)):
        assert await text(hub, owner, action, id=wrong, **extra) == "WRONG_ACTIVATION_ID"


@pytest.mark.parametrize("status", ["", "2", "5", "abc", "99999999999"])
async def test_bad_status_before_the_activation_is_looked_up(
    hub: Hub, buyer: str, connect_agent, status: str
) -> None:
    await connect_agent()
    tzid, _ = await rent(hub, buyer)
    assert await text(hub, buyer, "setStatus", id=tzid, status=status) == "BAD_STATUS"
    assert await text(hub, buyer, "setStatus", id=tzid + 1000, status=status) == "BAD_STATUS"
    activation, _ = await stored(hub, tzid)
    assert activation.state == State.NUM_WAIT


async def test_post_with_the_query_and_an_empty_body(hub: Hub, buyer: str, connect_agent) -> None:
    await connect_agent()
    reply = await hub.client.post(
        f"{hub.url}{PATH}",
        params={"api_key": buyer, "action": "getNumber", "service": "vk", "country ": "0"},
    )
    assert reply.text.startswith("ACCESS_NUMBER:")
    tzid = reply.text.split(":")[1]
    # also without the /stubs prefix, and as a form body
    form = await hub.client.post(
        f"{hub.url}/handler_api.php",
        data={"api_key": buyer, "action": "getStatus", "id": tzid},
    )
    assert (form.text, form.headers["content-type"]) == (
        "STATUS_WAIT_CODE",
        "text/plain; charset=utf-8",
    )


async def test_bad_paging_is_bad_data(hub: Hub, buyer: str) -> None:
    reply = await call(hub, buyer, "getActiveActivations", limit="-1")
    assert reply.text == "BAD_DATA"

"""Every refusal in the spec's own words and shape, reached by a real condition; never a 500."""

from __future__ import annotations

import pytest

from simgate.accounts import repository as accounts_repo

ALL_METHODS = [
    "getServiceList",
    "getNum",
    "getState",
    "getOperations",
    "setOperationRevise",
    "setOperationOk",
    "getBalance",
    "getService",
    "getServiceNumber",
    "getNumRepeat",
    "getNumbersStats",
    "getPrice",
    "getProfile",
]


@pytest.mark.parametrize("method", ALL_METHODS)
async def test_key_is_required_and_checked_on_every_method(hub, method):
    assert await hub.api(method) == {"response": "ERROR_NO_KEY"}
    assert await hub.api(method, "wrong") == {"response": "ERROR_WRONG_KEY"}


async def test_unknown_method(hub, buyer):
    assert await hub.api("getSomething", buyer) == {"response": "REQUEST_NOT_FOUND"}


async def test_blocked_and_api_disabled_accounts(hub, buyer):
    async with hub.ctx.db.transaction() as session:
        (await accounts_repo.by_name(session, "buyer")).blocked = True  # type: ignore[union-attr]
    assert await hub.api("getBalance", buyer) == {"response": "ACCOUNT_BLOCKED"}
    async with hub.ctx.db.transaction() as session:
        account = await accounts_repo.by_name(session, "buyer")
        assert account is not None
        account.blocked, account.api_access = False, False
    assert await hub.api("getBalance", buyer) == {"response": "API_ACCESS_DISABLED"}


async def test_bearer_header_is_accepted(hub, buyer):
    response = await hub.client.get(
        f"{hub.url}/api/getBalance.php", headers={"Authorization": f"Bearer {buyer}"}
    )
    assert response.json()["response"] == 1


@pytest.mark.parametrize(
    ("params", "word"),
    [
        ({}, "ERROR_NO_SERVICE"),
        ({"service": ""}, "ERROR_NO_SERVICE"),
        ({"service": "vk", "country": "abc"}, "NO_COUNTRY"),
        ({"service": "vk", "country": 999999}, "NO_COUNTRY"),
        ({"service": "vk", "form": 2}, "ERROR_PARAMS"),
        ({"service": "vk", "form": "x"}, "ERROR_PARAMS"),
        ({"service": "vk", "operator": "nosuch"}, "ERROR_PARAMS"),
        ({"service": "vk", "simoperator": "99999"}, "ERROR_PARAMS"),
        ({"service": "vk", "number": "maybe"}, "ERROR_PARAMS"),
        ({"service": "vk", "reject": "[1,"}, "ERROR_PARAMS"),
    ],
)
async def test_get_num_parameters(hub, buyer, connect_agent, params, word):
    await connect_agent()
    assert await hub.api("getNum", buyer, **params) == {"response": word}


async def test_tzid_parameters(hub, buyer):
    assert await hub.api("setOperationOk", buyer) == {"response": "ERROR_NO_TZID"}
    assert await hub.api("setOperationRevise", buyer) == {"response": "ERROR_NO_TZID"}
    assert await hub.api("setOperationOk", buyer, tzid="12a") == {"response": "ERROR_WRONG_TZID"}
    assert await hub.api("setOperationOk", buyer, tzid=5) == {"response": "ERROR_WRONG_TZID"}
    assert await hub.api("getState", buyer) == {"response": "ERROR_NO_OPERATIONS"}
    assert await hub.api("getState", buyer, tzid="x") == {"response": "ERROR_WRONG_TZID"}
    assert await hub.api("getState", buyer, form="9") == {"response": "ERROR_PARAMS"}
    assert await hub.api("getOperations", buyer) == []


async def test_limits(hub, make_buyer, connect_agent):
    await connect_agent()
    key = await make_buyer("limited", max_concurrent=2, max_getnum_per_minute=3)
    assert (await hub.api("getNum", key, service="vk"))["response"] == 1
    assert (await hub.api("getNum", key, service="vk"))["response"] == 1
    assert await hub.api("getNum", key, service="vk") == {
        "response": "EXCEEDED_CONCURRENT_OPERATIONS"
    }
    first = (await hub.api("getOperations", key))[0]["tzid"]
    await hub.api("setOperationOk", key, tzid=first)
    assert (await hub.api("getNum", key, service="vk"))["response"] == 1
    await hub.api("setOperationOk", key, tzid=first + 1)
    assert await hub.api("getNum", key, service="vk") == {
        "response": "INTERVAL_CONCURRENT_REQUESTS_ERROR"
    }
    hub.clock.advance(61)
    assert (await hub.api("getNum", key, service="vk"))["response"] == 1


async def test_requests_in_flight_limit(hub, make_buyer, connect_agent):
    import asyncio

    await connect_agent(mode="hang")
    key = await make_buyer("impatient", max_parallel_getnum=1)
    replies = await asyncio.gather(*(hub.api("getNum", key, service="vk") for _ in range(2)))
    assert sorted(r["response"] for r in replies) == [
        "INTERVAL_CONCURRENT_REQUESTS_ERROR",
        "TRY_AGAIN_LATER",  # the one that got through waited on the hanging agent
    ]


async def test_not_enough_money(hub, make_buyer, connect_agent):
    await connect_agent()
    key = await make_buyer("poor", balance=100)
    assert await hub.api("getNum", key, service="vk") == {"response": "WARNING_LOW_BALANCE"}


async def test_revise_and_confirm_refusals(hub, buyer, connect_agent):
    await connect_agent()
    tzid = (await hub.api("getNum", buyer, service="vk"))["tzid"]
    assert await hub.api("setOperationRevise", buyer, tzid=tzid) == {"response": "NO_COMPLETE_TZID"}


@pytest.mark.parametrize("method", ["getNum", "getState", "setOperationOk", "getNumRepeat"])
async def test_garbage_bodies_never_500(hub, buyer, method):
    for body, headers in [
        (b"{not json", {"content-type": "application/json"}),
        (b"\xff\xfe\x00", {"content-type": "application/octet-stream"}),
        (b"a=%zz&&=", {"content-type": "application/x-www-form-urlencoded"}),
        (b"[1,2,3]", {"content-type": "application/json"}),
    ]:
        response = await hub.client.post(
            f"{hub.url}/api/{method}.php?apikey={buyer}", content=body, headers=headers
        )
        assert response.status_code == 200
        assert isinstance(response.json(), (dict, list))


async def test_push_sms_malformed_bodies(hub, connect_agent):
    agent = await connect_agent()
    url = f"{hub.url}/push_sms_webhook"
    for content in [
        b"nope",
        b"[]",
        b'{"key":"x"}',
        b'{"key":"%s","smsId":"a"}' % agent.key.encode(),
    ]:
        response = await hub.client.post(url, content=content)
        assert response.status_code == 200
        assert response.json()["status"] == "ERROR"


async def test_push_sms_gzip_and_sloppy_spellings(hub, buyer, connect_agent):
    import gzip

    import orjson

    agent = await connect_agent()
    reply = await hub.api("getNum", buyer, service="vk", number=1)
    phone = reply["number"].lstrip("+")
    body = {
        "action": "PUSH_SMS",
        "smsID": "77",
        "phone": phone,
        "phoneFrom": "VK",
        "text": "VK: 24680",
        "key": agent.key,
    }
    response = await hub.client.post(
        f"{hub.url}/agent/api/sms",
        content=gzip.compress(orjson.dumps(body)),
        headers={"Content-Encoding": "gzip", "Content-Type": "application/json"},
    )
    assert response.json() == {"status": "SUCCESS"}
    state = await hub.api("getState", buyer, tzid=reply["tzid"], message_to_code=1)
    assert state[0]["msg"] == "24680"


async def test_push_sms_gzip_bomb_is_refused(hub, connect_agent):
    import gzip

    agent = await connect_agent()
    bomb = gzip.compress(b'{"key":"' + agent.key.encode() + b'","x":"' + b"a" * (4 << 20) + b'"}')
    response = await hub.client.post(
        f"{hub.url}/push_sms_webhook", content=bomb, headers={"Content-Encoding": "gzip"}
    )
    assert response.status_code == 200
    assert response.json()["status"] == "ERROR"

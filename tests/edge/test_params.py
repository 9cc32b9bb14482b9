"""Bullets "integers", "NUL bytes" and "malformed JSON": every refusal is HTTP 200 in the
dialect's own words, nothing reaches SQL that the column cannot hold, and an SMS holding
U+0000 is stored and shown back exactly."""

from __future__ import annotations

from typing import Any

import pytest

from tests.hub.conftest import Hub

BIG = str(2**63)  # one past a 64-bit column
HUGE = "9" * 40
NOT_ASCII = ["²", "١٢", "１２", "߁", "1_0", "٣"]


async def get(hub: Hub, method: str, **params: Any) -> Any:
    response = await hub.client.get(f"{hub.url}/api/{method}.php", params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def post(hub: Hub, path: str, **kwargs: Any) -> Any:
    response = await hub.client.post(f"{hub.url}{path}", **kwargs)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize("value", [BIG, HUGE, "-" + BIG, *NOT_ASCII])
async def test_tzid_that_no_column_holds_is_a_wrong_tzid(hub: Hub, buyer: str, value: str) -> None:
    for method in ("getState", "setOperationOk", "setOperationRevise"):
        assert await get(hub, method, apikey=buyer, tzid=value) == {"response": "ERROR_WRONG_TZID"}


@pytest.mark.parametrize("value", [BIG, str(2**31), HUGE, *NOT_ASCII])
async def test_country_past_32_bits_or_not_ascii_is_no_country(
    hub: Hub, buyer: str, value: str
) -> None:
    for method, extra in (("getNum", {"service": "vk"}), ("getServiceList", {})):
        reply = await get(hub, method, apikey=buyer, country=value, **extra)
        assert reply == {"response": "NO_COUNTRY"}, (method, reply)


@pytest.mark.parametrize("name", ["region", "extension", "form"])
@pytest.mark.parametrize("value", [str(2**31), HUGE, "²"])
async def test_getnum_integer_options_are_range_checked(
    hub: Hub, buyer: str, name: str, value: str
) -> None:
    reply = await get(hub, "getNum", apikey=buyer, service="vk", **{name: value})
    assert reply == {"response": "ERROR_PARAMS"}


@pytest.mark.parametrize("value", [BIG, HUGE, "²"])
async def test_forwarding_ids_and_pages_are_range_checked(hub: Hub, buyer: str, value: str) -> None:
    assert (await get(hub, "forwardingList", apikey=buyer, page=value))["response"] in (
        "ERROR_PARAMS",
    )
    for method in ("forwardingRemove", "getForwardPaymentsList", "forwardingSave"):
        reply = await get(hub, method, apikey=buyer, id=value)
        assert reply["response"] in ("ERROR_PARAMS", "ERROR_WRONG_ID"), (method, reply)


async def test_repeat_number_in_other_digits_is_refused(hub: Hub, buyer: str) -> None:
    reply = await get(hub, "getNumRepeat", apikey=buyer, service="vk", number="７９００")
    assert reply == {"response": "ERROR_PARAMS"}


@pytest.mark.parametrize(
    "params",
    [
        {"service": "v\x00k"},
        {"service": "vk", "operator": "m\x00ts"},
        {"service": "vk", "country": "7\x00"},
    ],
)
async def test_parameters_with_nul_are_error_params(
    hub: Hub, buyer: str, params: dict[str, str]
) -> None:
    reply = await get(hub, "getNum", apikey=buyer, **params)
    assert reply["response"] in ("ERROR_PARAMS", "NO_COUNTRY")
    assert await get(hub, "getBalance", apikey=buyer + "\x00") == {"response": "ERROR_PARAMS"}
    login = await get(hub, "login", username="a\x00", password="x")
    assert login == {"response": "ERROR_PARAMS"}


@pytest.mark.parametrize(
    "body",
    [
        b'{"apikey": "k", "tzid": 1e400}',
        b'{"apikey": "k", "tzid": ',
        b'{"apikey": "\xff\xfe"}',
        b'["apikey", "k"]',
        b"42",
        b'"apikey"',
        b'{"apikey": "\\ud800"}',
    ],
)
async def test_malformed_json_is_error_params(hub: Hub, body: bytes) -> None:
    headers = {"content-type": "application/json"}
    for path in ("/api/getState.php", "/demo/api/getState.php", "/api/register.php"):
        assert await post(hub, path, content=body, headers=headers) == {"response": "ERROR_PARAMS"}


async def test_multipart_without_boundary_answers_in_each_dialects_words(hub: Hub) -> None:
    headers = {"content-type": "multipart/form-data"}
    body = b"--x\r\nContent-Disposition: form-data; name=apikey\r\n\r\nk\r\n--x--\r\n"
    for path in ("/api/getBalance.php", "/demo/api/getNum.php", "/api/login.php"):
        assert await post(hub, path, content=body, headers=headers) == {"response": "ERROR_PARAMS"}
    reply = await post(hub, "/delivery-api/get/balance.php", content=body, headers=headers)
    assert reply == {"error": "2"}  # the body is unreadable: no login was given


async def test_delivery_timestamp_in_other_digits_is_missing(hub: Hub) -> None:
    params = {"login": "nobody", "signature": "x", "timestamp": "١٧٠٠٠٠٠٠٠٠"}
    response = await hub.client.get(f"{hub.url}/delivery-api/get/balance.php", params=params)
    assert response.json() == {"error": "24"}


async def test_delivery_values_with_nul_are_dropped(hub: Hub) -> None:
    params = {"login": "nobody\x00", "signature": "x", "timestamp": "1"}
    response = await hub.client.get(f"{hub.url}/delivery-api/get/balance.php", params=params)
    assert response.json() == {"error": "2"}


@pytest.mark.parametrize(
    "fields",
    [
        {"smsId": 2**63},
        {"smsId": "²"},
        {"smsId": "１"},
        {"phone": 2**64},
        {"phone": "٧٩٠٠"},
        {"phoneFrom": "V\x00K"},
        {"phoneFrom": "x" * 65},
        {"key": "k\x00"},
    ],
)
async def test_push_fields_out_of_range_are_refused(
    hub: Hub, connect_agent: Any, fields: dict[str, Any]
) -> None:
    agent = await connect_agent()  # a known key, so a bad value would reach storage
    body = {"smsId": 1, "phone": 79001234567, "phoneFrom": "VK", "text": "hi", "key": agent.key}
    body.update(fields)
    for path in ("/push_sms_webhook", "/agent/api/sms"):
        reply = await post(hub, path, json=body)
        assert reply["status"] == "ERROR" and reply["error"] != "TRY_AGAIN_LATER", reply


@pytest.mark.parametrize("body", [b"[1, 2]", b'{"smsId": 1e400}', b"\xff", b"{"])
async def test_push_malformed_json_is_an_error_status(hub: Hub, body: bytes) -> None:
    reply = await post(hub, "/push_sms_webhook", content=body)
    assert reply["status"] == "ERROR"


async def test_sms_with_nul_is_stored_and_shown_back_exactly(
    hub: Hub, buyer: str, connect_agent: Any
) -> None:
    agent = await connect_agent()
    rented = await get(hub, "getNum", apikey=buyer, service="vk", number=1)
    tzid, phone = rented["tzid"], int(rented["number"].lstrip("+"))
    text = "VK: 12345\x00\x00 code\uffff0 \\0 end"
    assert (await hub.push(agent.key, 1, phone, text))["status"] == "SUCCESS"
    # The agent's retry of the same push changes nothing and is answered the same.
    assert (await hub.push(agent.key, 1, phone, text))["status"] == "SUCCESS"
    [item] = await get(hub, "getState", apikey=buyer, tzid=tzid)
    assert item["msg"] == text
    [item] = await get(hub, "getState", apikey=buyer, tzid=tzid, message_to_code=1)
    assert item["msg"] == "12345"

"""getBalance through the sms-activate dialect: the same account and balance as onlinesim."""

from __future__ import annotations

import httpx

from tests.hub.conftest import Hub


async def handler(hub: Hub, **params: str) -> httpx.Response:
    async with httpx.AsyncClient(trust_env=False) as client:
        return await client.get(f"{hub.url}/stubs/handler_api.php", params=params)


async def test_balance_has_two_decimals_and_no_newline(hub, make_buyer):
    key = await make_buyer()
    reply = await handler(hub, api_key=key, action="getBalance")
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("text/plain")
    onlinesim = await hub.api("getBalance", key)
    assert reply.text == f"ACCESS_BALANCE:{onlinesim['balance']}"
    assert "." in reply.text


async def test_unknown_key_is_bad_key_before_any_action(hub):
    reply = await handler(hub, api_key="nope", action="noSuchAction")
    assert (reply.status_code, reply.text) == (200, "BAD_KEY")


async def test_unknown_action_is_bad_action(hub, make_buyer):
    key = await make_buyer()
    reply = await handler(hub, api_key=key, action="noSuchAction")
    assert (reply.status_code, reply.text) == (200, "BAD_ACTION")

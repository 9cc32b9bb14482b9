"""Parameter names with spaces around them (one sms-activate client sends `country `,
`operator `…) mean the same parameter, whichever way they arrive and in both dialects."""

from __future__ import annotations

from tests.hub.conftest import Hub


async def test_onlinesim_names_are_stripped_in_query_form_and_json(hub: Hub, buyer: str) -> None:
    url = f"{hub.url}/api/getBalance.php"
    replies = [
        await hub.client.get(url, params={"apikey ": buyer}),
        await hub.client.post(url, data={" apikey": buyer}),
        await hub.client.post(url, json={" apikey ": buyer}),
    ]
    for reply in replies:
        assert reply.json()["response"] == 1, reply.text


async def test_sms_activate_names_are_stripped(hub: Hub, buyer: str) -> None:
    reply = await hub.client.post(
        f"{hub.url}/stubs/handler_api.php", params={"api_key ": buyer, "action ": "getBalance"}
    )
    assert reply.text.startswith("ACCESS_BALANCE:")

"""Calling the sms-activate handler over loopback, and reading what the hub recorded."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select

from simgate.models import Activation, Hold
from tests.hub.conftest import Hub

PATH = "/stubs/handler_api.php"
VK_PRICE = 1400  # the seeded online price of vk in Russia, in kopecks


async def call(hub: Hub, key: str, action: str, **params: Any) -> httpx.Response:
    reply = await hub.client.get(
        f"{hub.url}{PATH}", params={"api_key": key, "action": action, **params}
    )
    assert reply.status_code == 200
    return reply


async def text(hub: Hub, key: str, action: str, **params: Any) -> str:
    """A text reply; every one is a bare line without a trailing newline."""
    reply = await call(hub, key, action, **params)
    assert reply.headers["content-type"] == "text/plain; charset=utf-8", reply.text
    assert reply.text == reply.text.strip()
    return reply.text


async def json_reply(hub: Hub, key: str, action: str, **params: Any) -> Any:
    reply = await call(hub, key, action, **params)
    assert reply.headers["content-type"] == "application/json", reply.text
    return reply.json()


async def rent(hub: Hub, key: str, **params: Any) -> tuple[int, int]:
    """getNumber → (activation id, phone)."""
    line = await text(hub, key, "getNumber", service=params.pop("service", "vk"), **params)
    word, tzid, phone = line.split(":")
    assert word == "ACCESS_NUMBER", line
    return int(tzid), int(phone)


async def stored(hub: Hub, tzid: int) -> tuple[Activation, Hold]:
    """The activation as the hub keeps it, and the hold on its price."""
    async with hub.ctx.db.read() as session:
        activation = await session.get_one(Activation, tzid)
        hold = (await session.scalars(select(Hold).where(Hold.id == activation.hold_id))).one()
        return activation, hold

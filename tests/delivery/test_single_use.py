"""A delivery-api signature is spent by its first use, whatever the method, on every replica.

md5 over concatenated values has no boundaries: the signature of `status` with state=S also
signs `add_template` with name + text == S. Each test below shifts such boundaries.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from simgate.core.clock import FrozenClock
from simgate.core.db import Database
from simgate.delivery import tasks
from simgate.dialects.delivery.router import router
from simgate.hub.context import HubContext
from simgate.hub.server import running_server
from simgate.ledger import service as ledger
from simgate.models.delivery import DeliveryRequest, DeliveryTemplate, OutboundMessage
from tests.delivery.conftest import SENDER, DeliveryClient, make_ctx

PHONE = "79087156685"


async def count(db: Database, column: Any) -> int:
    async with db.read() as session:
        return int((await session.execute(select(func.count(column)))).scalar_one())


def as_template(status_params: dict[str, str], cut: int) -> dict[str, str]:
    """The same signature and values, with `state` split into add_template's name and text."""
    state = status_params["state"]
    moved = {k: v for k, v in status_params.items() if k != "state"}
    return {**moved, "name": state[:cut], "text": state[cut:]}


async def test_a_status_signature_cannot_add_a_template(
    api: DeliveryClient, ctx: HubContext, clock: FrozenClock
) -> None:
    sent = await api.call("send", phone=PHONE, text="hi", sender=SENDER)
    clock.advance(1)
    status = api.signed(state=sent[PHONE]["id_sms"])
    assert await api.raw("status", status) == {sent[PHONE]["id_sms"]: "wait"}
    assert await api.raw("add_template", as_template(status, 10)) == {"error": "6"}
    assert await count(ctx.db, DeliveryTemplate.id) == 0


async def test_a_refused_request_spends_its_signature_too(
    api: DeliveryClient, ctx: HubContext
) -> None:
    status = api.signed(state="1234567890")
    assert await api.raw("status", status) == {"error": "18"}  # no such message
    assert await api.raw("add_template", as_template(status, 4)) == {"error": "6"}
    assert await api.raw("status", status) == {"error": "18"}  # the first reply, again
    assert await count(ctx.db, DeliveryTemplate.id) == 0


async def test_a_read_replay_gets_the_first_reply(api: DeliveryClient, ctx: HubContext) -> None:
    balance = api.signed()
    assert await api.raw("balance", balance) == {"money": "100", "currency": "RUR"}
    async with ctx.db.transaction() as session:
        await ledger.deposit(session, api.customer.account_id, 500, ctx.clock.now(), "top-up")
    assert await api.raw("balance", balance, post=True) == {"money": "100", "currency": "RUR"}
    # `senders` takes the same values (login, timestamp): the same signature, another method.
    assert await api.raw("senders", balance) == {"error": "6"}


async def test_same_method_with_shifted_values_is_refused(
    api: DeliveryClient, ctx: HubContext
) -> None:
    first = api.signed(phone=PHONE, sender=SENDER, text="hello world")
    assert (await api.raw("send", first))[PHONE]["error"] == "0"
    shifted = {**first, "sender": SENDER + "h", "text": "ello world"}
    assert await api.raw("send", shifted) == {"error": "6"}
    assert await count(ctx.db, OutboundMessage.id) == 1


async def test_every_used_signature_is_forgotten_after_two_windows(
    api: DeliveryClient, ctx: HubContext, clock: FrozenClock
) -> None:
    await api.call("balance")
    await api.call("status", state="1")
    assert await count(ctx.db, DeliveryRequest.signature) == 2
    clock.advance(2 * ctx.settings.delivery_signature_window_seconds + 2)
    await tasks.run_once(ctx.deps)
    assert await count(ctx.db, DeliveryRequest.signature) == 0


@pytest.fixture
async def replica(
    settings: Any, database_url: str, clock: FrozenClock
) -> AsyncIterator[httpx.AsyncClient]:
    """A second hub process's delivery-api: its own engine and pool on the same database."""
    other = make_ctx(settings, Database(database_url), clock)
    app = FastAPI()
    app.include_router(router)
    app.state.ctx = other
    async with (
        running_server(app) as url,
        httpx.AsyncClient(base_url=url, trust_env=False, timeout=10) as http,
    ):
        yield http
    await other.db.dispose()
    await other.close_http()


@pytest.mark.parametrize("round_", range(3))
async def test_one_signature_races_on_two_replicas(
    api: DeliveryClient, ctx: HubContext, replica: httpx.AsyncClient, round_: int
) -> None:
    status = api.signed(state=f"98765432{round_}")
    template = as_template(status, 3)

    async def on_replica() -> Any:
        response = await replica.get("/delivery-api/get/add_template.php", params=template)
        return response.json()

    replies = await asyncio.gather(api.raw("status", status), on_replica())
    assert replies.count({"error": "6"}) == 1, replies
    template_won = replies[0] == {"error": "6"}
    assert await count(ctx.db, DeliveryTemplate.id) == int(template_won)

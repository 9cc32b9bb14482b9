"""Call forwarding end to end: the onlinesim methods on the hub, the FORWARD_* extension over
loopback HTTP, and the reference agent's simulated pool holding the SIMs."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import aiohttp

from simgate.forwarding import tasks
from simgate.ledger import service as ledger
from tests.forwarding.conftest import sent_body
from tests.hub.conftest import Hub

FORWARD_TO = "9161234567"


async def rent(hub: Hub, key: str, **params: Any) -> dict[str, Any]:
    reply = await hub.api(
        "getNum", key, service="vk", number=1, forward_number=FORWARD_TO, **params
    )
    assert reply["response"] == 1, reply
    return reply  # type: ignore[no-any-return]


async def state(hub: Hub, key: str, tzid: int) -> dict[str, Any]:
    return (await hub.api("getState", key, tzid=tzid))[0]  # type: ignore[no-any-return]


async def forwarding_of(hub: Hub, key: str, tzid: int) -> dict[str, Any]:
    listed = await hub.api("forwardingList", key)
    return next(f for f in listed["forwardingList"]["data"] if f["id_number"] == tzid)


async def payments_of(hub: Hub, key: str, forwarding_id: int) -> list[dict[str, Any]]:
    reply = await hub.api("getForwardPaymentsList", key, id=forwarding_id)
    return reply["forwardPaymentsList"]  # type: ignore[no-any-return]


async def rental_price(hub: Hub, key: str, tzid: int) -> int:
    return int(Decimal(str((await state(hub, key, tzid))["sum"])) * 100)


async def check_books(hub: Hub) -> ledger.BalanceView:
    async with hub.ctx.db.read() as session:
        assert await ledger.check(session) == []
        (account_id,) = {f.account_id for f in await _forwardings(session)}
        return await ledger.balance(session, account_id)


async def _forwardings(session: Any) -> list[Any]:
    from sqlalchemy import select

    from simgate.models.forwarding import Forwarding

    return list((await session.execute(select(Forwarding))).scalars())


async def test_forward_status_is_active_only_after_the_agent_confirms(hub, buyer, agent):
    reply = await rent(hub, buyer, forward_minutes=5, clean_call=1)
    tzid, phone = reply["tzid"], int(reply["number"])
    assert agent.simulated.line.forwards[phone] == 7 * 10**10 + int(FORWARD_TO)
    first = await state(hub, buyer, tzid)
    assert (first["forward_status"], first["forward_number"]) == ("pending", int(FORWARD_TO))

    # The network lost the forwarding before the buyer confirmed: the agent does not confirm.
    agent.simulated.line.forwards.pop(phone)
    refused = await hub.api("setForwardStatusEnable", buyer, tzid=tzid)
    assert refused == {"response": "NO_CONFIRM_FORWARD"}
    assert (await state(hub, buyer, tzid))["forward_status"] == "pending"

    agent.simulated.line.forwards[phone] = 7 * 10**10 + int(FORWARD_TO)
    confirmed = await hub.api("setForwardStatusEnable", buyer, tzid=tzid)
    assert confirmed == {"response": 1, "tzid": tzid}
    assert (await state(hub, buyer, tzid))["forward_status"] == "active"
    item = await forwarding_of(hub, buyer, tzid)
    assert (item["status"], item["number"], item["minutes"]) == (1, phone - 7 * 10**10, 0)

    plain = await hub.api("getNum", buyer, service="wa")
    assert "forward_status" not in await state(hub, buyer, plain["tzid"])
    no_forward = await hub.api("setForwardStatusEnable", buyer, tzid=plain["tzid"])
    assert no_forward == {"response": "NO_CONFIRM_FORWARD"}


class LoseFirstTopUpReply:
    """A client middleware that delivers every request, but the first FORWARD_TOP_UP's answer
    never reaches the hub."""

    def __init__(self) -> None:
        self.lost = 0

    async def __call__(
        self, request: aiohttp.ClientRequest, handler: aiohttp.ClientHandlerType
    ) -> aiohttp.ClientResponse:
        response = await handler(request)
        if b"FORWARD_TOP_UP" in await sent_body(request) and not self.lost:
            await response.read()
            self.lost += 1
            raise aiohttp.ServerTimeoutError("reply lost")
        return response


async def test_a_retried_top_up_is_credited_and_charged_once(hub, buyer, agent):
    await hub.ctx.close_http()
    transport = LoseFirstTopUpReply()
    hub.ctx.http = aiohttp.ClientSession(middlewares=(transport,))
    reply = await rent(hub, buyer, forward_minutes=5)
    tzid, phone = reply["tzid"], int(reply["number"])
    await hub.api("setForwardStatusEnable", buyer, tzid=tzid)  # balance 0 < 5: a top-up is due

    await tasks.run_once(hub.ctx.forwarding)
    assert transport.lost == 1
    assert agent.simulated.line.minutes[phone] == 10  # the agent credited it; the hub never heard
    item = await forwarding_of(hub, buyer, tzid)
    payments = await payments_of(hub, buyer, item["id"])
    assert [(p["status"], p["sum"], p["minutes"]) for p in payments] == [(2, 20, 10)]
    rental = await rental_price(hub, buyer, tzid)
    assert (await check_books(hub)).held == rental + 2000

    hub.clock.advance(hub.ctx.settings.forward_retry_seconds)
    assert await tasks.run_once(hub.ctx.forwarding) == 1
    assert agent.simulated.line.minutes[phone] == 10  # the same paymentId: not credited again
    payments = await payments_of(hub, buyer, item["id"])
    assert [(p["status"], p["sum"]) for p in payments] == [(3, 20)]
    assert payments[0]["forward_id"] == item["id"] and payments[0]["number"] == item["number"]
    books = await check_books(hub)
    assert (books.held, books.captured) == (rental, 2000)  # the rental is still open
    assert await tasks.run_once(hub.ctx.forwarding) == 0
    top_ups = await agent.db.run(lambda c: c.execute("SELECT * FROM forward_top_ups").fetchall())
    assert len(top_ups) == 1


async def test_top_ups_follow_the_balance_up_to_max_minutes(hub, buyer, agent):
    reply = await rent(hub, buyer, forward_minutes=5)
    tzid, phone = reply["tzid"], int(reply["number"])
    item = await forwarding_of(hub, buyer, tzid)
    saved = await hub.api("forwardingSave", buyer, id=item["id"], max_minutes=15, auto="true")
    assert saved == {"response": 1}
    await hub.api("setForwardStatusEnable", buyer, tzid=tzid)
    await tasks.run_once(hub.ctx.forwarding)
    assert agent.simulated.line.minutes[phone] == 10
    for _ in range(3):  # calls use the minutes up; each poll tops up again, within the cap
        agent.simulated.line.use(phone, 10)
        hub.clock.advance(hub.ctx.settings.forward_poll_seconds)
        await tasks.run_once(hub.ctx.forwarding)
    payments = await payments_of(hub, buyer, item["id"])
    assert [(p["minutes"], p["status"]) for p in payments] == [(10, 3), (5, 3)]
    listed = await forwarding_of(hub, buyer, tzid)
    assert (listed["max_minutes"], listed["auto_minutes"], listed["extension"]) == (15, 5, True)
    assert listed["data"]["time_update_balance"] is not None
    await check_books(hub)


async def test_removing_a_forwarding_stops_payments_and_tells_the_agent(hub, buyer, agent):
    reply = await rent(hub, buyer, forward_minutes=5)
    tzid, phone = reply["tzid"], int(reply["number"])
    await hub.api("setForwardStatusEnable", buyer, tzid=tzid)  # a top-up is planned (held)
    item = await forwarding_of(hub, buyer, tzid)
    rental = await rental_price(hub, buyer, tzid)
    assert (await check_books(hub)).held == rental + 2000

    assert await hub.api("forwardingRemove", buyer, id=item["id"]) == {"response": 1}
    assert phone not in agent.simulated.line.forwards  # FORWARD_CANCEL reached the agent
    assert (await forwarding_of(hub, buyer, tzid))["status"] == 3
    assert (await state(hub, buyer, tzid))["forward_status"] == "finished"
    for _ in range(2):
        hub.clock.advance(hub.ctx.settings.forward_poll_seconds)
        assert await tasks.run_once(hub.ctx.forwarding) == 0
    assert await hub.api("getForwardPaymentsList", buyer, id=item["id"]) == {
        "response": 1,
        "forwardPaymentsList": [],
    }
    books = await check_books(hub)
    assert (books.held, books.captured) == (rental, 0)  # the planned top-up was released
    assert await hub.api("forwardingRemove", buyer, id=item["id"]) == {"response": 1}
    changed = await hub.api("forwardingSave", buyer, id=item["id"], minutes=3)
    assert changed == {"response": "ERROR_PARAMS"}

"""Automatic top-ups do what the buyer chose and never more than the operator's caps, even
against an agent whose FORWARD_STATUS reads 0 minutes whatever was paid."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from simgate.ledger import service as ledger
from tests.forwarding.standin import ForwardingStandin
from tests.hub.conftest import Hub

FORWARD_TO = "9161234567"


async def forwarding(hub: Hub, key: str, **save: Any) -> dict[str, Any]:
    """Rent with forwarding (threshold 5 minutes), apply forwardingSave `save`, confirm."""
    reply = await hub.api("getNum", key, service="vk", forward_number=FORWARD_TO, forward_minutes=5)
    assert reply["response"] == 1, reply
    (item,) = (await hub.api("forwardingList", key))["forwardingList"]["data"]
    if save:
        assert await hub.api("forwardingSave", key, id=item["id"], **save) == {"response": 1}
    confirmed = await hub.api("setForwardStatusEnable", key, tzid=reply["tzid"])
    assert confirmed == {"response": 1, "tzid": reply["tzid"]}
    return item  # type: ignore[no-any-return]


async def ticks(hub: Hub, count: int, seconds: float | None = None) -> None:
    for _ in range(count):
        hub.clock.advance(seconds or hub.ctx.settings.forward_poll_seconds)
        await hub.tick()


async def captured(hub: Hub) -> int:
    """What the buyer was charged, with the books checked."""
    async with hub.ctx.db.read() as session:
        assert await ledger.check(session) == []
        (account_id,) = (await session.execute(text("SELECT id FROM accounts"))).scalars()
        return (await ledger.balance(session, account_id)).captured


async def paid(hub: Hub, key: str, forwarding_id: int) -> list[tuple[int, int]]:
    reply = await hub.api("getForwardPaymentsList", key, id=forwarding_id)
    return [(p["minutes"], p["status"]) for p in reply["forwardPaymentsList"]]


async def test_an_agent_reporting_zero_minutes_cannot_drain_a_balance(
    hub: Hub, buyer: str, standin: ForwardingStandin
):
    settings = hub.ctx.settings
    # The buyer asks for renewal past the rental and for more minutes than the operator allows.
    item = await forwarding(hub, buyer, auto="true", max_minutes=10 * 1000)
    await ticks(hub, 60)
    assert sum(standin.top_ups.values()) == settings.forward_max_minutes_default == 100
    assert await captured(hub) == 100 * 200 <= settings.forward_max_spend_default
    assert all(status == 3 for _, status in await paid(hub, buyer, item["id"]))


async def test_the_money_cap_and_the_buyers_max_minutes_bound_top_ups(
    hub: Hub, make_buyer: Any, standin: ForwardingStandin
):
    hub.ctx.settings = hub.ctx.settings.model_copy(update={"forward_max_spend_default": 3000})
    first = await make_buyer("first")
    item = await forwarding(hub, first, auto="true")
    await ticks(hub, 25)
    assert await paid(hub, first, item["id"]) == [(10, 3), (5, 3)]  # 30.00: the money cap
    assert await captured(hub) == 3000

    second = await make_buyer("second")
    item = await forwarding(hub, second, auto="true", max_minutes=12)
    await ticks(hub, 25)
    assert await paid(hub, second, item["id"]) == [(10, 3), (2, 3)]  # the buyer's own cap


async def test_without_auto_the_forwarding_ends_with_the_rental(
    hub: Hub, buyer: str, standin: ForwardingStandin
):
    item = await forwarding(hub, buyer)  # `auto` off: the forwarding ends with the rental
    lifetime = hub.ctx.settings.activation_lifetime_seconds
    await ticks(hub, 4, lifetime / 3)  # past the rental's end
    during = await paid(hub, buyer, item["id"])
    assert during and len(during) < 4
    (listed,) = (await hub.api("forwardingList", buyer))["forwardingList"]["data"]
    assert listed["status"] == 3  # finished: cancelled on the agent, its SIM free again
    assert standin.forwards == {}
    assert len(standin.actions("FORWARD_CANCEL")) == 1
    await ticks(hub, 20)
    assert await paid(hub, buyer, item["id"]) == during
    assert sum(standin.top_ups.values()) == sum(minutes for minutes, _ in during)
    assert len(standin.actions("FORWARD_CANCEL")) == 1
    assert await hub.api("forwardingSave", buyer, id=item["id"], auto="true") != {"response": 1}
    assert await captured(hub) == 200 * sum(standin.top_ups.values())


async def test_with_auto_the_forwarding_outlives_the_rental_and_is_paid(
    hub: Hub, buyer: str, standin: ForwardingStandin
):
    item = await forwarding(hub, buyer, auto="true")
    lifetime = hub.ctx.settings.activation_lifetime_seconds
    await ticks(hub, 4, lifetime / 3)  # past the rental's end
    during = len(await paid(hub, buyer, item["id"]))
    await ticks(hub, 1)
    assert len(await paid(hub, buyer, item["id"])) == during + 1  # renewal asked: paid
    assert standin.actions("FORWARD_CANCEL") == []
    assert await captured(hub) == 200 * sum(standin.top_ups.values())

"""forwardingRemove racing an in-flight FORWARD_SET (getNum, forwardingSave) and the buyer's
confirmation: the removal wins, the agent is told last, and no top-up is ever charged."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import text

from simgate.forwarding import service
from simgate.forwarding.errors import ForwardNotConfirmed
from simgate.ledger import service as ledger
from simgate.suppliers.forwarding_client import ForwardState
from tests.forwarding.standin import ForwardingStandin
from tests.hub.conftest import Hub

FORWARD_TO = "9161234567"


async def listed(hub: Hub, key: str) -> dict[str, Any]:
    (item,) = (await hub.api("forwardingList", key))["forwardingList"]["data"]
    return item  # type: ignore[no-any-return]


async def remove_while_set_is_held(hub: Hub, key: str, standin: ForwardingStandin) -> int:
    """forwardingRemove committed while the agent still holds FORWARD_SET; then let it go."""
    await standin.set_started.wait()
    forwarding_id = (await listed(hub, key))["id"]
    assert await hub.api("forwardingRemove", key, id=forwarding_id) == {"response": 1}
    standin.release_set.set()
    return int(forwarding_id)


async def never_charged(hub: Hub, key: str, standin: ForwardingStandin, forwarding_id: int):
    """Many worker passes later: still finished, no top-up sent, nothing captured."""
    for _ in range(5):
        hub.clock.advance(hub.ctx.settings.forward_poll_seconds)
        await hub.tick()
    assert (await listed(hub, key))["status"] == 3
    assert standin.actions("FORWARD_TOP_UP") == [] and standin.top_ups == {}
    payments = await hub.api("getForwardPaymentsList", key, id=forwarding_id)
    assert payments == {"response": 1, "forwardPaymentsList": []}
    async with hub.ctx.db.read() as session:
        assert await ledger.check(session) == []
        (account_id,) = (await session.execute(text("SELECT id FROM accounts"))).scalars()
        assert (await ledger.balance(session, account_id)).captured == 0


async def test_a_removal_during_getnums_forward_set_wins(hub, buyer, standin):
    standin.hold_set = True
    renting = asyncio.create_task(
        hub.api("getNum", buyer, service="vk", forward_number=FORWARD_TO, forward_minutes=5)
    )
    forwarding_id = await remove_while_set_is_held(hub, buyer, standin)
    reply = await renting
    assert reply["response"] == 1  # the rental stands; only its forwarding was removed
    (activation_id,) = standin.handed
    # The agent heard FORWARD_CANCEL after the FORWARD_SET landed, so nothing is forwarded.
    assert standin.log[-2:] == [("FORWARD_SET", activation_id), ("FORWARD_CANCEL", activation_id)]
    assert standin.forwards == {}
    state = (await hub.api("getState", buyer, tzid=reply["tzid"]))[0]
    assert state["forward_status"] == "finished"
    refused = await hub.api("setForwardStatusEnable", buyer, tzid=reply["tzid"])
    assert refused == {"response": "NO_CONFIRM_FORWARD"}
    await never_charged(hub, buyer, standin, forwarding_id)


async def test_a_removal_during_a_number_change_wins(hub, buyer, standin):
    reply = await hub.api(
        "getNum", buyer, service="vk", forward_number=FORWARD_TO, forward_minutes=5
    )
    assert await hub.api("setForwardStatusEnable", buyer, tzid=reply["tzid"]) == {
        "response": 1,
        "tzid": reply["tzid"],
    }  # 0 minutes < 5: a top-up is planned, not yet sent
    (activation_id,) = standin.handed
    standin.hold_set = True
    item = await listed(hub, buyer)
    saving = asyncio.create_task(
        hub.api("forwardingSave", buyer, id=item["id"], forward_number="9037654321")
    )
    await remove_while_set_is_held(hub, buyer, standin)
    assert (await saving)["response"] != 1  # the move did not happen: it was removed
    assert standin.log[-2:] == [("FORWARD_SET", activation_id), ("FORWARD_CANCEL", activation_id)]
    assert standin.forwards == {}
    await never_charged(hub, buyer, standin, item["id"])


async def test_a_confirmation_does_not_revive_a_forwarding_removed_under_it(hub, buyer, standin):
    reply = await hub.api("getNum", buyer, service="vk", forward_number=FORWARD_TO)
    item = await listed(hub, buyer)
    active = ForwardState(active=True, forward_number="7" + FORWARD_TO, minutes=0, balance=None)
    async with hub.ctx.db.transaction() as session:
        stale = await service.owned_by_tzid(session, item["id_user"], reply["tzid"])
        assert stale.status == 1
        # Another request removes it between this transaction's read and its write.
        await (await session.connection()).execute(
            text("UPDATE forwardings SET status = 5 WHERE id = :id"), {"id": item["id"]}
        )
        with pytest.raises(ForwardNotConfirmed):
            await service.confirm(session, stale, active, hub.clock.now())
    assert (await listed(hub, buyer))["status"] == 5  # still removed, not working again

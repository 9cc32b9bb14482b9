"""A code the buyer can see is a code the buyer paid for, whoever wins a race.

PUSH_SMS, setOperationOk and the expiry job all close or change one rental; on PostgreSQL they
really run in parallel. Whatever order they land in, exactly one of two outcomes is allowed:
sold (TZ_OVER_OK, captured, FINISH 3, the code visible, the push answered SUCCESS) or refunded
(TZ_OVER_EMPTY, released, FINISH 4, no code, the push answered as for no open rental).
"""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import select

from simgate.activations import service as activations
from simgate.ledger import service as ledger
from simgate.models import Activation, Hold
from tests.hub.conftest import Hub
from tests.hub.standin_agent import StandinAgent

RACES = 60
LIMITS = {"max_concurrent": 200, "max_getnum_per_minute": 1000, "max_parallel_getnum": 100}


async def _rent(hub: Hub, key: str) -> tuple[int, int]:
    reply = await hub.api("getNum", key, service="vk", number=1)
    assert reply["response"] == 1, reply
    return int(reply["tzid"]), int(reply["number"].lstrip("+"))


async def _stored(hub: Hub, tzid: int) -> tuple[str, int]:
    """The rental's hold state and the agent's activation id."""
    async with hub.ctx.db.read() as session:
        activation = await session.get(Activation, tzid)
        assert activation is not None and activation.agent_activation_id is not None
        hold = (
            await session.execute(select(Hold).where(Hold.id == activation.hold_id))
        ).scalar_one()
        return str(hold.state), activation.agent_activation_id


async def _check_outcome(
    hub: Hub, key: str, agent: StandinAgent, tzid: int, push_answer: dict[str, Any]
) -> str:
    shown = (await hub.api("getState", key, tzid=tzid, msg_list=1))[0]
    hold, agent_id = await _stored(hub, tzid)
    finishes = [status for a, status in agent.finishes if a == agent_id]
    if shown["response"] == "TZ_OVER_OK":
        assert shown["msg"] and shown["msg"][0]["msg"] == "VK: 24680", shown
        assert push_answer == {"status": "SUCCESS"}, push_answer
        assert hold == "captured"
        assert finishes == [3], finishes
    else:
        assert shown["response"] == "TZ_OVER_EMPTY", shown
        assert shown["msg"] is False, shown
        assert push_answer == {"status": "ERROR", "error": "NO_OPERATION"}, push_answer
        assert hold == "released"
        assert finishes == [4], finishes
    return str(shown["response"])


async def _race(hub: Hub, key: str, agent: StandinAgent, sms_id: int, closer: str) -> str:
    tzid, phone = await _rent(hub, key)

    async def close() -> None:
        if closer == "confirm":
            # Serialised with the push, the confirm always applies: no "changed meanwhile".
            # Serialised with the push, the confirm always applies: no "changed meanwhile".
            assert await hub.api("setOperationOk", key, tzid=tzid) == {"response": 1, "tzid": tzid}
        else:
            async with hub.ctx.db.transaction() as session:
                assert await activations.expire(session, tzid, hub.clock.now())

    if closer == "expire":
        hub.clock.advance(hub.ctx.settings.activation_lifetime_seconds + 1)
    push_task = asyncio.ensure_future(hub.push(agent.key, sms_id, phone, "VK: 24680"))
    if sms_id % 2:  # let either side reach the database first
        await asyncio.sleep(0)
    await close()
    push = await push_task
    await hub.tick()  # deliver FINISH_ACTIVATION
    return await _check_outcome(hub, key, agent, tzid, push)


async def test_push_racing_confirm_never_gives_a_code_for_free(hub, make_buyer, connect_agent):
    agent = await connect_agent(stock={"vk": 500})
    key = await make_buyer("racer", **LIMITS)
    outcomes = [await _race(hub, key, agent, 1000 + i, "confirm") for i in range(RACES)]
    async with hub.ctx.db.read() as session:
        assert await ledger.check(session) == []
    assert set(outcomes) <= {"TZ_OVER_OK", "TZ_OVER_EMPTY"}


async def test_push_racing_expiry_never_gives_a_code_for_free(hub, make_buyer, connect_agent):
    agent = await connect_agent(stock={"vk": 500})
    key = await make_buyer("late", **LIMITS)
    for i in range(RACES // 3):
        await _race(hub, key, agent, 5000 + i, "expire")
    async with hub.ctx.db.read() as session:
        assert await ledger.check(session) == []

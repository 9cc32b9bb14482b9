"""Outbox details: concatenated SMS whose parts never all arrive, ids, the data-folder lock."""

from __future__ import annotations

import calendar
from collections.abc import Callable
from typing import Any

import pytest

from simgate.agent.config import AgentConfig
from simgate.agent.db import AgentLockedError
from simgate.agent.outbox import INCOMPLETE_MARK, IncomingSms
from simgate.agent.runtime import AgentRuntime
from simgate.core.clock import FrozenClock


async def test_incomplete_multipart_is_pushed_after_the_wait(
    make_config: Callable[..., AgentConfig], clock: FrozenClock, eventually: Any
) -> None:
    async with AgentRuntime(make_config(simulate=2), clock) as agent:
        sims = await agent.db.run(lambda c: c.execute("SELECT sim_key, phone FROM sims").fetchall())
        sim_key, phone = sims[0]["sim_key"], sims[0]["phone"]
        part = IncomingSms(sim_key, phone, "Bank", "Часть первая, ", part=(9, 3, 1))
        assert await agent.store.receive_sms(part) is None
        third = IncomingSms(sim_key, phone, "Bank", "часть третья.", part=(9, 3, 3))
        assert await agent.store.receive_sms(third) is None
        clock.advance(23 * 3600)
        await agent.sweep_once()
        assert (
            await agent.db.run(lambda c: c.execute("SELECT count(*) FROM sms").fetchone()[0]) == 0
        )
        clock.advance(3600 + 1)

        async def flushed() -> list[Any]:
            return await agent.db.run(lambda c: c.execute("SELECT phone, text FROM sms").fetchall())

        rows = await eventually(flushed)
        left = await agent.db.run(
            lambda c: c.execute("SELECT count(*) FROM sms_parts").fetchone()[0]
        )
    assert rows[0]["phone"] == phone
    assert rows[0]["text"] == "Часть первая, часть третья." + INCOMPLETE_MARK
    assert left == 0


async def test_ids_start_from_creation_time_and_survive_restart(
    make_config: Callable[..., AgentConfig], clock: FrozenClock
) -> None:
    config = make_config(simulate=1)
    base = calendar.timegm(clock.now().utctimetuple()) * 1000
    async with AgentRuntime(config, clock) as agent:
        first = await agent.store.receive_sms(IncomingSms("x", 79000000001, "A", "one"))
    clock.advance(3600)
    async with AgentRuntime(config, clock) as agent:
        second = await agent.store.receive_sms(IncomingSms("x", 79000000001, "A", "two"))
    assert first == base + 1
    assert second == base + 2


async def test_one_agent_per_data_folder(
    make_config: Callable[..., AgentConfig], clock: FrozenClock
) -> None:
    config = make_config(simulate=1)
    async with AgentRuntime(config, clock):
        with pytest.raises(AgentLockedError):
            async with AgentRuntime(config, clock):
                pass

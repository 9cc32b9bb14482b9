"""PUSH_SMS from the outbox: strict body, gzip, User-Agent, the 10-second retry cadence on a
controllable clock, and the answers that end retrying."""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable
from typing import Any

from simgate.agent.config import AgentConfig
from simgate.agent.outbox import Outcome
from simgate.agent.pusher import classify
from simgate.agent.runtime import AgentRuntime
from simgate.core.clock import FrozenClock

KEY = "test-agent-key"


def _sms_rows(agent: AgentRuntime) -> Awaitable[list[sqlite3.Row]]:
    return agent.db.run(lambda c: c.execute("SELECT * FROM sms ORDER BY id").fetchall())


async def _rent_and_receive(
    agent: AgentRuntime, clock: FrozenClock, eventually: Any, service: str = "vk"
) -> list[sqlite3.Row]:
    reply = await agent.protocol.answer(
        {"action": "GET_NUMBER", "key": KEY, "country": "russia", "operator": "any",
         "service": service, "sum": 10}
    )  # fmt: skip
    assert reply["status"] == "SUCCESS"
    before = len(await _sms_rows(agent))
    assert agent.simulated is not None
    await agent.simulated.deliver_due()
    assert len(await _sms_rows(agent)) == before  # the simulated SMS waits for its delay
    clock.advance(1.0)

    async def stored() -> list[sqlite3.Row]:
        rows = await _sms_rows(agent)
        return rows if len(rows) > before else []

    rows: list[sqlite3.Row] = await eventually(stored)
    return rows


async def test_push_body_is_strict_and_gzipped(
    make_config: Callable[..., AgentConfig], clock: FrozenClock, hub: Any, eventually: Any
) -> None:
    config = make_config(hub_url=hub.url)
    async with AgentRuntime(config, clock) as agent:
        rows = await _rent_and_receive(agent, clock, eventually)
        await eventually(lambda: hub.stored)
    body = hub.attempts[0]
    assert set(body) == {"action", "smsId", "phone", "phoneFrom", "text", "key"}
    assert body["action"] == "PUSH_SMS" and body["key"] == KEY
    assert type(body["smsId"]) is int and type(body["phone"]) is int
    assert body["smsId"] == rows[0]["id"] and body["phone"] == rows[0]["phone"]
    assert body["phoneFrom"] == "VK"
    assert body["text"].startswith("VK: ") and "код подтверждения" in body["text"]
    headers = hub.headers[0]
    assert headers["content-encoding"] == "gzip"
    assert headers["user-agent"].startswith("simgate-agent/")


async def test_retry_every_ten_seconds_until_success(
    make_config: Callable[..., AgentConfig], clock: FrozenClock, hub: Any, eventually: Any
) -> None:
    hub.mode = "error"
    async with AgentRuntime(make_config(hub_url=hub.url), clock) as agent:

        async def tried(times: int) -> None:
            # The hub saw the attempt and the agent has recorded its answer (and so its next
            # attempt time): only then may the test move the clock.
            async def recorded() -> bool:
                rows = await _sms_rows(agent)
                return len(hub.attempts) == times and rows[0]["attempts"] == times

            await eventually(recorded)

        await _rent_and_receive(agent, clock, eventually)
        await tried(1)
        clock.advance(9.9)
        assert await agent.pusher.drain_once() == 0, "retried before 10 s"
        assert len(hub.attempts) == 1, "retried before 10 s"
        clock.advance(0.1)
        await tried(2)
        hub.mode = "http500"
        clock.advance(10)
        await tried(3)
        hub.mode = "success"
        clock.advance(5)
        assert await agent.pusher.drain_once() == 0
        assert len(hub.attempts) == 3
        clock.advance(5)
        await tried(4)
        rows = await eventually(lambda: _delivered(agent))
        assert rows[0]["state"] == "delivered"
        clock.advance(60)
        assert await agent.pusher.drain_once() == 0, "a delivered SMS is never sent again"
    assert len(hub.attempts) == 4, "a delivered SMS is never sent again"
    assert len(hub.stored) == 1


async def _delivered(agent: AgentRuntime) -> list[sqlite3.Row]:
    rows = await _sms_rows(agent)
    return rows if rows and all(r["state"] == "delivered" for r in rows) else []


async def test_hub_down_then_up_delivers(
    make_config: Callable[..., AgentConfig],
    clock: FrozenClock,
    free_port: int,
    hub_factory: Callable[..., Awaitable[Any]],
    eventually: Any,
) -> None:
    url = f"http://127.0.0.1:{free_port}/push_sms_webhook"
    async with AgentRuntime(make_config(hub_url=url), clock) as agent:
        await _rent_and_receive(agent, clock, eventually)

        async def attempted() -> bool:
            rows = await _sms_rows(agent)
            return bool(rows[0]["attempts"] >= 1 and rows[0]["state"] == "pending")

        await eventually(attempted)
        rows = await _sms_rows(agent)
        assert "ConnectError" in rows[0]["last_error"]
        hub = await hub_factory(free_port)
        clock.advance(10)
        await eventually(lambda: _delivered(agent))
    assert len(hub.stored) == 1


async def test_final_answers_are_not_retried_forever(
    make_config: Callable[..., AgentConfig], clock: FrozenClock, hub: Any, eventually: Any
) -> None:
    async with AgentRuntime(make_config(hub_url=hub.url, sim_sms_count=2), clock) as agent:
        hub.mode = "no_operation"
        await _rent_and_receive(agent, clock, eventually, "wa")

        async def rejected() -> list[sqlite3.Row]:
            rows = await _sms_rows(agent)
            return rows if len(rows) == 2 and all(r["state"] == "rejected" for r in rows) else []

        rows = await eventually(rejected)
        assert {r["last_error"] for r in rows} == {"NO_OPERATION"}
        hub.mode = "error_no_operation"
        await _rent_and_receive(agent, clock, eventually, "tg")

        async def all_rejected() -> bool:
            rows = await _sms_rows(agent)
            return len(rows) == 4 and all(r["state"] == "rejected" for r in rows)

        await eventually(all_rejected)
        clock.advance(100)
        assert await agent.pusher.drain_once() == 0
    assert len(hub.attempts) == 4
    assert hub.stored == {}


def test_classify_answers() -> None:
    assert classify(200, b'{"status":"SUCCESS"}') == (Outcome.DELIVERED, "")
    for word in ("NO_OPERATION", "BAD_SERVICE", "IGNORED", "SERVICE_BAN"):
        assert classify(200, b'{"status":"%s"}' % word.encode()) == (Outcome.REJECTED, word)
        body = b'{"status":"ERROR","error":"%s"}' % word.encode()
        assert classify(200, body) == (Outcome.REJECTED, word)
    assert classify(200, b'{"status":"ERROR","error":"DB down"}')[0] is Outcome.RETRY
    assert classify(200, b"<html>")[0] is Outcome.RETRY
    assert classify(200, b"[]")[0] is Outcome.RETRY
    assert classify(502, b'{"status":"SUCCESS"}')[0] is Outcome.RETRY


async def test_several_and_multipart_simulated_sms(
    make_config: Callable[..., AgentConfig], clock: FrozenClock, hub: Any, eventually: Any
) -> None:
    config = make_config(hub_url=hub.url, sim_sms_count=2, sim_multipart=True)
    async with AgentRuntime(config, clock) as agent:
        await _rent_and_receive(agent, clock, eventually, "tg")
        await eventually(lambda: len(hub.stored) == 2)
        parts_left = await agent.db.run(
            lambda c: c.execute("SELECT count(*) FROM sms_parts").fetchone()
        )
    texts = sorted((b["text"] for b in hub.stored.values()), key=len)
    assert texts[0].startswith("Telegram code ")
    assert texts[1].startswith("Telegram code ") and "из нескольких частей" in texts[1]
    assert parts_left[0] == 0


async def test_no_sms_when_count_is_zero(
    make_config: Callable[..., AgentConfig], clock: FrozenClock, hub: Any
) -> None:
    async with AgentRuntime(make_config(hub_url=hub.url, sim_sms_count=0), clock) as agent:
        reply = await agent.protocol.answer(
            {"action": "GET_NUMBER", "key": KEY, "country": "russia", "service": "vk", "sum": 1}
        )
        assert reply["status"] == "SUCCESS"
        clock.advance(60)
        assert agent.simulated is not None
        await agent.simulated.deliver_due()
        assert await _sms_rows(agent) == []
    assert hub.attempts == []


async def test_later_simulated_sms_arrive_one_interval_apart(
    make_config: Callable[..., AgentConfig], clock: FrozenClock, hub: Any
) -> None:
    config = make_config(hub_url=hub.url, sim_sms_count=3, sim_sms_interval_seconds=30)
    async with AgentRuntime(config, clock) as agent:
        reply = await agent.protocol.answer(
            {"action": "GET_NUMBER", "key": KEY, "country": "russia", "service": "vk", "sum": 1}
        )
        assert reply["status"] == "SUCCESS"
        assert agent.simulated is not None
        received = []
        # the first after the delay (1 s), then one every 30 s on the agent's clock
        for step in (1.0, 29.0, 1.0, 29.0, 1.0):
            clock.advance(step)
            await agent.simulated.deliver_due()
            received.append(len(await _sms_rows(agent)))
    assert received == [1, 1, 2, 2, 3]

"""The real AT driver against a scripted modem behind a pseudo-terminal."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

from simgate.agent.config import AgentConfig
from simgate.agent.runtime import AgentRuntime

KEY = "test-agent-key"
LONG_TEXT = (
    "Ваш код подтверждения: 482913. Никому не сообщайте этот код, даже сотрудникам банка. "
    "Если вы не запрашивали код, позвоните нам. Ёлки-палки, emoji: 🙂 — конец."
)


def _modem_config(make_config: Callable[..., AgentConfig], port: str, **extra: Any) -> AgentConfig:
    return make_config(
        simulate=0,
        modems=[port],
        modem_command_timeout_seconds=0.5,
        modem_poll_seconds=0.5,
        modem_health_seconds=0.2,
        modem_backoff_initial_seconds=0.05,
        modem_backoff_max_seconds=0.2,
        **extra,
    )


async def _sims(agent: AgentRuntime) -> list[sqlite3.Row]:
    return await agent.db.run(lambda c: c.execute("SELECT * FROM sims").fetchall())


async def test_modem_initialises_and_sim_goes_on_sale(
    make_config: Callable[..., AgentConfig], modem_factory: Any, eventually: Any
) -> None:
    modem = modem_factory()
    async with AgentRuntime(_modem_config(make_config, modem.path)) as agent:

        async def online() -> list[sqlite3.Row]:
            return [s for s in await _sims(agent) if s["online"]]

        sims = await eventually(online)
        stock = (await agent.protocol.answer({"action": "GET_SERVICES", "key": KEY}))["countryList"]
        reply = await agent.protocol.answer(
            {"action": "GET_NUMBER", "key": KEY, "country": "russia", "operator": "mts",
             "service": "vk", "sum": 5}
        )  # fmt: skip
    assert sims[0]["phone"] == 79281234567
    assert sims[0]["imsi"] == "250011234567890"
    assert (sims[0]["country"], sims[0]["operator"], sims[0]["signal"]) == ("russia", "mts", 21)
    assert stock == [{"country": "russia", "operatorMap": {"mts": stock[0]["operatorMap"]["mts"]}}]
    assert stock[0]["operatorMap"]["mts"]["vk"] == 1
    assert reply["status"] == "SUCCESS" and reply["number"] == 79281234567
    init = modem.commands[: modem.commands.index("AT+CIMI")]
    for command in ("ATE0", "AT+CMEE=1", "AT+CMGF=0", "AT+CNMI=2,1,0,0,0"):
        assert command in init
    assert any(c.startswith("AT+CPMS=") for c in init)


async def test_multipart_ucs2_sms_reaches_the_hub_as_one_message(
    make_config: Callable[..., AgentConfig],
    modem_factory: Any,
    hub: Any,
    pdu: Any,
    eventually: Any,
) -> None:
    modem = modem_factory()
    parts = pdu.ucs2_parts("+79001112233", LONG_TEXT, ref=0x1234, ref16=True)
    assert len(parts) == 3
    modem.store(parts[2])  # already on the SIM before the agent starts: found by AT+CMGL=4
    config = _modem_config(make_config, modem.path, hub_url=hub.url)
    async with AgentRuntime(config) as agent:
        await eventually(lambda: "AT+CMGL=4" in modem.commands)
        modem.deliver(parts[0])  # announced with +CMTI
        await eventually(lambda: not modem.storage)
        assert not hub.attempts  # one part is still missing: nothing is pushed
        modem.deliver(parts[1])
        await eventually(lambda: hub.stored)
        modem.deliver(pdu.gsm7("VK", "VK: 33708 [code] {ok} €5"))
        await eventually(lambda: len(hub.stored) == 2)
        await eventually(lambda: not modem.storage)
        left = await agent.db.run(lambda c: c.execute("SELECT count(*) FROM sms_parts").fetchone())
    first, second = sorted(hub.stored.values(), key=lambda b: b["smsId"])
    assert first["text"] == LONG_TEXT
    assert first["phone"] == 79281234567 and first["phoneFrom"] == "+79001112233"
    assert second["text"] == "VK: 33708 [code] {ok} €5" and second["phoneFrom"] == "VK"
    assert left[0] == 0
    deletes = [c for c in modem.commands if c.startswith("AT+CMGD=")]
    assert len(deletes) == 4


async def test_sms_read_twice_is_stored_once(
    make_config: Callable[..., AgentConfig], modem_factory: Any, pdu: Any, eventually: Any
) -> None:
    """A crash between the commit and AT+CMGD leaves the PDU on the SIM: it is not duplicated."""
    modem = modem_factory()
    message = pdu.gsm7("+79005556677", "Your code 1234")
    modem.store(message)
    async with AgentRuntime(_modem_config(make_config, modem.path)) as agent:
        await eventually(lambda: not modem.storage)
        modem.store(message)  # as if the delete had never happened
        await eventually(lambda: not modem.storage)
        rows = await agent.db.run(lambda c: c.execute("SELECT text FROM sms").fetchall())
    assert [r["text"] for r in rows] == ["Your code 1234"]


async def test_hung_modem_goes_offline_and_comes_back(
    make_config: Callable[..., AgentConfig],
    modem_factory: Any,
    hub: Any,
    pdu: Any,
    eventually: Any,
) -> None:
    modem = modem_factory()
    config = _modem_config(make_config, modem.path, hub_url=hub.url)
    async with AgentRuntime(config) as agent:
        driver = agent.modems.modems[0]

        async def online() -> bool:
            return any(s["online"] for s in await _sims(agent))

        async def offline() -> bool:
            return not await online()

        await eventually(online)
        modem.hung = True
        await eventually(offline)
        stock = await agent.protocol.answer({"action": "GET_SERVICES", "key": KEY})
        assert stock["countryList"] == []
        sims = await _sims(agent)
        assert "AtTimeout" in sims[0]["last_error"]
        modem.hung = False
        await eventually(online)
        assert driver.sessions >= 2
        modem.deliver(pdu.gsm7("Telegram", "Telegram code 55555"))
        await eventually(lambda: hub.stored)
    assert next(iter(hub.stored.values()))["text"] == "Telegram code 55555"


async def test_modem_without_own_number_uses_configuration(
    make_config: Callable[..., AgentConfig], modem_factory: Any, eventually: Any
) -> None:
    modem = modem_factory(imsi="250991111111111", cnum="")
    config = _modem_config(make_config, modem.path, sim_numbers={"250991111111111": 79031234567})
    async with AgentRuntime(config) as agent:

        async def online() -> list[sqlite3.Row]:
            return [s for s in await _sims(agent) if s["online"]]

        sims = await eventually(online)
    assert sims[0]["phone"] == 79031234567
    assert sims[0]["operator"] == "beeline"

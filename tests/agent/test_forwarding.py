"""The reference agent's FORWARD_* actions: on the simulated pool, and on a real-modem driver
talking AT+CCFC / AT+CUSD to a scripted modem behind a pseudo-terminal."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from simgate.agent.config import AgentConfig
from simgate.agent.modem.forwarding import ForwardingOptions, decode_ussd, parse_balance
from simgate.agent.runtime import AgentRuntime
from tests.agent.modem.conftest import ScriptedModem

KEY = "test-agent-key"
TARGET = 79161234567


async def call(agent: AgentRuntime, action: str, **fields: Any) -> dict[str, Any]:
    return await agent.protocol.answer({"action": action, "key": KEY, **fields})


async def rent(agent: AgentRuntime, operator: str = "any") -> dict[str, Any]:
    reply = await call(
        agent, "GET_NUMBER", country="russia", operator=operator, service="vk", sum=5
    )
    assert reply["status"] == "SUCCESS", reply
    return reply


async def test_forwarding_on_the_simulated_pool(agent: AgentRuntime) -> None:
    assert await call(agent, "FORWARD_SET", activationId=1, forwardNumber=TARGET) == {
        "status": "ERROR",
        "error": "NO_ACTIVATION",
    }
    granted = await rent(agent)
    activation, phone = granted["activationId"], granted["number"]
    status = await call(agent, "FORWARD_STATUS", activationId=activation)
    assert status["active"] is False  # nothing set yet
    set_reply = await call(
        agent, "FORWARD_SET", activationId=activation, forwardNumber=TARGET, cleanCall=1
    )
    assert set_reply == {"status": "SUCCESS"}
    status = await call(agent, "FORWARD_STATUS", activationId=activation)
    assert status == {
        "status": "SUCCESS", "active": True, "forwardNumber": TARGET, "minutes": 0,
        "balance": None,
    }  # fmt: skip

    top_up = {"activationId": activation, "paymentId": 7, "minutes": 10}
    assert await call(agent, "FORWARD_TOP_UP", **top_up) == {"status": "SUCCESS", "minutes": 10}
    assert await call(agent, "FORWARD_TOP_UP", **top_up) == {"status": "SUCCESS", "minutes": 10}
    agent.simulated.line.use(phone, 4)  # type: ignore[union-attr]
    assert (await call(agent, "FORWARD_STATUS", activationId=activation))["minutes"] == 6
    paid = await agent.db.run(
        lambda c: c.execute("SELECT minutes_paid FROM forwardings").fetchone()[0]
    )
    assert paid == 10

    assert await call(agent, "FORWARD_CANCEL", activationId=activation) == {"status": "SUCCESS"}
    assert await call(agent, "FORWARD_CANCEL", activationId=activation) == {"status": "SUCCESS"}
    assert (await call(agent, "FORWARD_STATUS", activationId=activation))["active"] is False
    refused = await call(agent, "FORWARD_TOP_UP", **{**top_up, "paymentId": 8})
    assert refused == {"status": "ERROR", "error": "NOT_ACTIVE"}
    bad = await call(agent, "FORWARD_SET", activationId=activation, forwardNumber="x")
    assert bad["status"] == "ERROR" and bad["error"].startswith("BAD_REQUEST")


class ForwardingModem(ScriptedModem):
    """A scripted modem whose network keeps a call forwarding and answers a balance USSD."""

    def __init__(self, ussd: str, reason: int = 0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.forward_to: str | None = None
        self.ussd = ussd
        self.reason = reason

    def _lines(self, command: str) -> list[str]:
        if command.startswith(f"AT+CCFC={self.reason},3,"):
            self.forward_to = command.split('"')[1]
            return ["OK"]
        if command == f"AT+CCFC={self.reason},4":
            self.forward_to = None
            return ["OK"]
        if command == f"AT+CCFC={self.reason},2":
            if self.forward_to is None:
                return ["+CCFC: 0,7", "OK"]
            return [f'+CCFC: 1,1,"{self.forward_to}",145', "OK"]
        if command.startswith("AT+CUSD=1,"):
            return ["OK", f'+CUSD: 0,"{self.ussd}",15']
        return super()._lines(command)


async def test_forwarding_through_a_modem_with_at_ccfc(
    make_config: Callable[..., AgentConfig], eventually: Any
) -> None:
    modem = ForwardingModem("Balance 123,45 r. Ostatok: 37 min.")
    config = make_config(
        simulate=0, modems=[modem.path], modem_command_timeout_seconds=0.5,
        modem_poll_seconds=0.5, modem_health_seconds=0.5,
    )  # fmt: skip
    try:
        async with AgentRuntime(config) as agent:
            await eventually(lambda: agent.modems.modems[0].line is not None)
            activation = (await rent(agent, "mts"))["activationId"]
            reply = await call(agent, "FORWARD_SET", activationId=activation, forwardNumber=TARGET)
            assert reply == {"status": "SUCCESS"}
            assert 'AT+CCFC=0,3,"+79161234567",145' in modem.commands
            status = await call(agent, "FORWARD_STATUS", activationId=activation)
            assert status == {
                "status": "SUCCESS", "active": True, "forwardNumber": TARGET, "minutes": 37,
                "balance": "123.45",
            }  # fmt: skip
            assert 'AT+CUSD=1,"*100#",15' in modem.commands
            assert await call(agent, "FORWARD_CANCEL", activationId=activation) == {
                "status": "SUCCESS"
            }
            assert "AT+CCFC=0,4" in modem.commands and modem.forward_to is None
            assert (await call(agent, "FORWARD_STATUS", activationId=activation))["active"] is False
    finally:
        modem.close()


async def test_forwarding_options_come_from_the_config_file(
    tmp_path: Path, eventually: Any
) -> None:
    modem = ForwardingModem("Ostatok: 12 min.", reason=4)
    config_file = tmp_path / "agent.toml"
    config_file.write_text(
        f'[agent]\nkey = "{KEY}"\nport = 0\ndata_dir = "{tmp_path / "agent"}"\n'
        f'modems = ["{modem.path}"]\nmodem_command_timeout_seconds = 0.5\n'
        'forward_reason = 4\nforward_balance_ussd = "*102#"\n'
    )
    config = AgentConfig.load(config_file)
    try:
        async with AgentRuntime(config) as agent:
            await eventually(lambda: agent.modems.modems[0].line is not None)
            activation = (await rent(agent, "mts"))["activationId"]
            reply = await call(agent, "FORWARD_SET", activationId=activation, forwardNumber=TARGET)
            assert reply == {"status": "SUCCESS"}
            assert 'AT+CCFC=4,3,"+79161234567",145' in modem.commands
            status = await call(agent, "FORWARD_STATUS", activationId=activation)
            assert status["minutes"] == 12
            assert 'AT+CUSD=1,"*102#",15' in modem.commands
    finally:
        modem.close()


class ForgetfulNetworkModem(ForwardingModem):
    """Accepts AT+CCFC registration with OK, yet reports no forwarding when asked."""

    def _lines(self, command: str) -> list[str]:
        if command == "AT+CCFC=0,2":
            return ["+CCFC: 0,1", "OK"]
        return super()._lines(command)


async def test_a_network_that_drops_the_forwarding_fails_forward_set(
    make_config: Callable[..., AgentConfig], eventually: Any
) -> None:
    modem = ForgetfulNetworkModem("")
    config = make_config(simulate=0, modems=[modem.path], modem_command_timeout_seconds=0.5)
    try:
        async with AgentRuntime(config) as agent:
            await eventually(lambda: agent.modems.modems[0].line is not None)
            activation = (await rent(agent, "mts"))["activationId"]
            reply = await call(agent, "FORWARD_SET", activationId=activation, forwardNumber=TARGET)
            assert reply["status"] == "ERROR" and reply["error"].startswith("FORWARD_FAILED")
            status = await call(agent, "FORWARD_STATUS", activationId=activation)
            assert status["active"] is False
    finally:
        modem.close()


def test_balance_messages_are_read_by_the_configured_patterns() -> None:
    options = ForwardingOptions()
    assert parse_balance("Баланс 56.10 руб., 120 мин", options) == (120, Decimal("56.10"))
    assert parse_balance("Your balance is unknown", options) == (None, None)
    assert decode_ussd("0411 0430 043B".replace(" ", ""), 72) == "Бал"
    assert decode_ussd("plain", 15) == "plain"


async def _vk_stock(agent: AgentRuntime) -> int:
    reply = await call(agent, "GET_SERVICES")
    return sum(ops.get("vk", 0) for c in reply["countryList"] for ops in c["operatorMap"].values())


async def test_a_forwarded_sim_is_not_sold_again_until_the_forwarding_is_cancelled(
    agent: AgentRuntime,
) -> None:
    in_stock = await _vk_stock(agent)
    granted = await rent(agent)
    activation, phone = granted["activationId"], granted["number"]
    await call(agent, "FORWARD_SET", activationId=activation, forwardNumber=TARGET)
    # The rental ends (cancelled: the number would be offered again), the forwarding does not.
    assert await call(agent, "FINISH_ACTIVATION", activationId=activation, status=4) == {
        "status": "SUCCESS"
    }
    assert await _vk_stock(agent) == in_stock - 1
    again = {"country": "russia", "operator": "any", "service": "vk", "sum": 5, "number": phone}
    assert (await call(agent, "GET_NUMBER", **again))["status"] == "NO_NUMBERS"
    for _ in range(in_stock - 1):  # every other SIM is handed out, never this one
        assert (await rent(agent))["number"] != phone
    assert (await call(agent, "GET_NUMBER", **{**again, "number": None}))["status"] == "NO_NUMBERS"

    assert await call(agent, "FORWARD_CANCEL", activationId=activation) == {"status": "SUCCESS"}
    assert await _vk_stock(agent) == 1
    assert (await call(agent, "GET_NUMBER", **again))["number"] == phone

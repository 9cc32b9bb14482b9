"""Agent settings sources and the `simgate agent status` command."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from simgate.agent.config import AgentConfig
from simgate.agent.runtime import AgentRuntime
from simgate.cli.main import app
from simgate.core.clock import FrozenClock

KEY = "test-agent-key"


def test_flags_override_environment_which_overrides_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config_file = tmp_path / "agent.toml"
    config_file.write_text(
        '[agent]\nkey = "from-file"\nport = 9000\nhub_url = "http://hub/push"\n'
        'modems = ["/dev/ttyUSB0", "/dev/ttyUSB1"]\n[agent.sim_numbers]\n"250011" = 79001112233\n'
    )
    monkeypatch.setenv("SIMGATE_AGENT_PORT", "9100")
    monkeypatch.setenv("SIMGATE_AGENT_CURRENCY", "840")
    config = AgentConfig.load(config_file, port=9200, host=None)
    assert config.key == "from-file"
    assert config.port == 9200
    assert config.currency == 840
    assert config.hub_url == "http://hub/push"
    assert config.modems == ["/dev/ttyUSB0", "/dev/ttyUSB1"]
    assert config.sim_numbers == {"250011": 79001112233}
    assert AgentConfig.load(config_file).port == 9100
    monkeypatch.delenv("SIMGATE_AGENT_PORT")
    assert AgentConfig.load(config_file).port == 9000
    assert AgentConfig(key="x").activation_lifetime_seconds == 900
    assert AgentConfig(key="x").push_retry_seconds == 10.0


def test_serve_refuses_a_config_without_key(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["agent", "serve", "--data-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stderr == "error: invalid setting key: Field required\n"


async def test_status_shows_sims_stock_activations_and_outbox(
    make_config: Callable[..., AgentConfig], clock: FrozenClock, eventually: Any
) -> None:
    config = make_config(simulate=3, hub_url="http://127.0.0.1:9/push_sms_webhook")
    async with AgentRuntime(config, clock) as agent:
        reply = await agent.protocol.answer(
            {"action": "GET_NUMBER", "key": KEY, "country": "russia", "service": "wa", "sum": 3}
        )
        clock.advance(1.0)  # the simulated SMS arrives; the hub is not listening

        async def failed_once() -> bool:
            rows = await agent.db.run(lambda c: c.execute("SELECT attempts FROM sms").fetchall())
            return bool(rows) and rows[0][0] >= 1

        await eventually(failed_once)
        result = CliRunner().invoke(
            app, ["agent", "status", "--data-dir", str(config.data_dir)], env={"COLUMNS": "200"}
        )
    assert result.exit_code == 0, result.output
    out = result.output
    for title in ("SIMs", "Stock", "Open activations", "SMS outbox", "Last push errors"):
        assert title in out
    assert str(reply["number"]) in out
    assert str(reply["activationId"]) in out
    assert "wa:0" in out or "wa:1" in out
    assert "pending" in out
    assert "ConnectError" in out


def test_status_without_database_says_so(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["agent", "status", "--data-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "no agent database" in result.output

"""Listings stay readable on an 80-column terminal: long values fold, no line is wider."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from simgate.cli import common
from simgate.cli.main import app
from tests.hub.conftest import Hub

runner = CliRunner()
EXE = Path(sys.executable).with_name("simgate")
LONG_NAME = "a-buyer-with-a-rather-long-name-" + "x" * 32  # 64 characters, the most allowed
LONG_URL = "http://agent.example/" + "path/" * 60


@pytest.fixture
def eighty_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    """The shared console as an 80-column terminal sizes it (it read COLUMNS at import)."""
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setattr(common.console, "width", 80)


def lines_of(database_url: str, *args: str) -> list[str]:
    result = runner.invoke(app, [*args, "--database-url", database_url])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip(), args
    return result.stdout.splitlines()


async def test_listings_fit_80_columns(
    hub: Hub, make_buyer, connect_agent, database_url, eighty_columns
):
    agent = await connect_agent("bank-with-a-long-name-" + "y" * 40)
    key = await make_buyer(LONG_NAME)
    reply = await hub.api("getNum", key, service="vk", number=1)
    phone = int(reply["number"].lstrip("+"))
    await hub.push(agent.key, 1, phone, "VK: 33708 " + "z" * 300, sender="VK-" + "s" * 40)
    await asyncio.to_thread(
        lines_of, database_url, "supplier", "add", "far", "--url", LONG_URL, "--key", "k9"
    )
    for args in (
        ["account", "list"],
        ["account", "show", LONG_NAME],
        ["supplier", "list"],
        ["price", "list"],
        ["activation", "list"],
        ["activation", "show", str(reply["tzid"])],
    ):
        out = await asyncio.to_thread(lines_of, database_url, *args)
        assert [line for line in out if len(line) > 80] == [], args
        if args[0:2] == ["activation", "show"]:
            # The long SMS is folded over lines, not cut short.
            assert sum(line.count("z") for line in out) == 300


def test_config_fits_80_columns(tmp_path: Path, eighty_columns: None) -> None:
    agent_file = tmp_path / "agent.toml"
    agent_file.write_text(f'key = "k"\nhub_url = "{LONG_URL}"\n')
    shown = runner.invoke(app, ["agent", "config", "show", "--config", str(agent_file)])
    assert shown.exit_code == 0, shown.output
    assert [line for line in shown.stdout.splitlines() if len(line) > 80] == []
    # As an operator's terminal runs it: a process of its own told COLUMNS=80.
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIMGATE_")}
    env["COLUMNS"] = "80"
    done = subprocess.run(
        [str(EXE), "config", "show"], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert [line for line in done.stdout.splitlines() if len(line) > 80] == []

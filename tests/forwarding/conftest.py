"""Forwarding fixtures: the hub fixtures, and the reference agent's simulated pool serving
the hub over loopback as a registered supplier."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from simgate.agent.runtime import AgentRuntime
from tests.hub.conftest import (  # noqa: F401
    Hub,
    buyer,
    connect_agent,
    hub,
    make_buyer,
    reference_agent,
)


@pytest.fixture
async def agent(hub: Hub, tmp_path: Path) -> AsyncIterator[AgentRuntime]:  # noqa: F811
    """The reference agent with 12 simulated SIMs, registered with the hub, stock loaded."""
    async with reference_agent(
        hub, tmp_path / "agent", simulate=12, sim_sms_delay_seconds=3600, tick_seconds=0.05
    ) as runtime:
        yield runtime

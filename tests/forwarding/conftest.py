"""Forwarding fixtures: the hub fixtures, and the reference agent's simulated pool serving
the hub over loopback as a registered supplier."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

import simgate.dialects.onlinesim.methods_forwarding  # noqa: F401  (registers the methods)
from simgate.agent.config import AgentConfig
from simgate.agent.runtime import AgentRuntime
from simgate.suppliers import service as suppliers
from simgate.worker import jobs
from tests.hub.conftest import Hub, buyer, connect_agent, hub, make_buyer  # noqa: F401


@pytest.fixture
async def agent(hub: Hub, tmp_path: Path) -> AsyncIterator[AgentRuntime]:  # noqa: F811
    """The reference agent with 12 simulated SIMs, registered with the hub, stock loaded."""
    config = AgentConfig(
        host="127.0.0.1",
        port=0,
        key="bank-key",
        hub_url=f"{hub.url}/push_sms_webhook",
        data_dir=tmp_path / "agent",
        simulate=12,
        sim_sms_delay_seconds=3600,
        tick_seconds=0.05,
    )
    async with AgentRuntime(config) as runtime:
        async with hub.ctx.db.transaction() as session:
            await suppliers.add(session, "bank", runtime.url, "bank-key", hub.clock.now())
        await jobs.poll_stock(hub.ctx)
        yield runtime

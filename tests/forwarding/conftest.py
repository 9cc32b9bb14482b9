"""Forwarding fixtures: the hub fixtures, and the reference agent's simulated pool serving
the hub over loopback as a registered supplier."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from simgate.agent.runtime import AgentRuntime
from simgate.hub.server import running_server
from simgate.suppliers import service as suppliers
from simgate.worker import jobs
from tests.forwarding.standin import ForwardingStandin
from tests.hub.conftest import (  # noqa: F401
    Hub,
    buyer,
    connect_agent,
    hub,
    make_buyer,
    reference_agent,
)


async def sent_body(request: aiohttp.ClientRequest) -> bytes:
    """What a request to an agent carries (in a client middleware)."""
    body = request.body
    return body if isinstance(body, bytes) else await body.as_bytes()


@pytest.fixture
async def agent(hub: Hub, tmp_path: Path) -> AsyncIterator[AgentRuntime]:  # noqa: F811
    """The reference agent with 12 simulated SIMs, registered with the hub, stock loaded."""
    async with reference_agent(
        hub, tmp_path / "agent", simulate=12, sim_sms_delay_seconds=3600, tick_seconds=0.05
    ) as runtime:
        yield runtime


@pytest.fixture
async def standin(hub: Hub) -> AsyncIterator[ForwardingStandin]:  # noqa: F811
    """A FORWARD_*-speaking stand-in agent on loopback, registered with the hub, stock loaded."""
    agent = ForwardingStandin(key="standin-key")
    async with running_server(agent.app()) as url:
        async with hub.ctx.db.transaction() as session:
            await suppliers.add(
                session, "standin", url + "/", agent.key, hub.clock.now(), timeout_seconds=1.0
            )
        await jobs.poll_stock(hub.ctx)
        yield agent

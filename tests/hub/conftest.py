"""Hub fixtures: the hub served over loopback with a frozen clock, a buyer, and agents."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from simgate.accounts import service as accounts
from simgate.agent.config import AgentConfig
from simgate.agent.runtime import AgentRuntime
from simgate.core.clock import Clock, FrozenClock
from simgate.core.db import Database
from simgate.core.settings import Settings
from simgate.hub.app import HubApp, create_app
from simgate.hub.context import HubContext
from simgate.hub.server import running_server
from simgate.suppliers import service as suppliers
from simgate.worker import jobs
from tests.hub.standin_agent import StandinAgent


@dataclass
class Hub:
    url: str
    ctx: HubContext
    client: httpx.AsyncClient
    clock: FrozenClock
    app: HubApp | None = None  # the app served at `url`

    async def api(self, method: str, key: str | None = None, **params: Any) -> Any:
        """GET /api/<method>.php with the given parameters; returns the decoded JSON."""
        if key is not None:
            params["apikey"] = key
        response = await self.client.get(f"{self.url}/api/{method}.php", params=params)
        assert response.status_code == 200, response.text
        return response.json()

    async def tick(self) -> dict[str, int]:
        """One pass of every worker job."""
        return await jobs.run_once(self.ctx)

    async def push(self, key: str, sms_id: int, phone: int, text: str, sender: str = "VK") -> Any:
        body = {
            "action": "PUSH_SMS",
            "smsId": sms_id,
            "phone": phone,
            "phoneFrom": sender,
            "text": text,
            "key": key,
        }
        response = await self.client.post(f"{self.url}/push_sms_webhook", json=body)
        assert response.status_code == 200
        return response.json()


@contextlib.asynccontextmanager
async def reference_agent(
    hub: Hub, data_dir: Path, clock: Clock | None = None, **config: Any
) -> AsyncIterator[AgentRuntime]:
    """simgate's own agent with a simulated pool, registered with the hub, its stock loaded;
    on its own `clock` when given (the system clock otherwise)."""
    settings = AgentConfig(
        host="127.0.0.1",
        port=0,
        key="bank-key",
        hub_url=f"{hub.url}/push_sms_webhook",
        data_dir=data_dir,
        **config,
    )
    async with AgentRuntime(settings, clock) as runtime:
        async with hub.ctx.db.transaction() as session:
            await suppliers.add(session, "bank", runtime.url, "bank-key", hub.clock.now())
        await jobs.poll_stock(hub.ctx)
        yield runtime


@pytest.fixture
async def hub(db: Database, settings: Settings, clock: FrozenClock) -> AsyncIterator[Hub]:
    settings = settings.model_copy(update={"agent_timeout_seconds": 1.0, "auth_cache_seconds": 0})
    ctx = HubContext(settings=settings, db=db, clock=clock)
    await db.start_feed()  # as `simgate serve` does: caches are used only while it runs
    app = create_app(ctx)
    async with (
        running_server(app) as url,
        httpx.AsyncClient(trust_env=False, timeout=30) as client,
    ):
        yield Hub(url, ctx, client, clock, app)
    await ctx.close_http()


@pytest.fixture
def make_buyer(hub: Hub) -> Callable[..., Awaitable[str]]:
    async def make(name: str = "buyer", balance: int = 100_000, **limits: int) -> str:
        async with hub.ctx.db.transaction() as session:
            created = await accounts.create(
                session, hub.ctx.settings, name, hub.clock.now(), balance=balance
            )
            for field, value in limits.items():
                setattr(created.account, field, value)
        return created.api_key

    return make


@pytest.fixture
async def buyer(make_buyer: Callable[..., Awaitable[str]]) -> str:
    return await make_buyer()


@pytest.fixture
async def connect_agent(hub: Hub) -> AsyncIterator[Callable[..., Awaitable[StandinAgent]]]:
    """Serve a stand-in agent on loopback, register it, and load its stock."""
    stack: list[Any] = []

    async def connect(name: str = "agent1", priority: int = 0, **kwargs: Any) -> StandinAgent:
        agent = StandinAgent(key=f"{name}-key", **kwargs)
        server = running_server(agent.app())
        url = await server.__aenter__()
        stack.append(server)
        async with hub.ctx.db.transaction() as session:
            await suppliers.add(
                session,
                name,
                url + "/",
                agent.key,
                hub.clock.now(),
                priority=priority,
                timeout_seconds=1.0,
            )
        await jobs.poll_stock(hub.ctx)
        return agent

    yield connect
    for server in reversed(stack):
        await server.__aexit__(None, None, None)

"""What every entry point of the hub shares: settings, storage, clock, outward clients."""

from __future__ import annotations

from dataclasses import dataclass, field

import aiohttp

from simgate.activations.state_cache import StateCache
from simgate.core.clock import Clock, SystemClock
from simgate.core.db import Database
from simgate.core.deps import Deps
from simgate.core.settings import Settings
from simgate.dialects.common.apikey import KeyCache
from simgate.forwarding.deps import ForwardingDeps
from simgate.suppliers.client import AgentClient, agent_session
from simgate.suppliers.forwarding_client import ForwardingClient


@dataclass
class HubContext:
    settings: Settings
    db: Database
    clock: Clock = field(default_factory=SystemClock)
    # The agents' transport. None until the first agent call, which makes it: an aiohttp
    # session belongs to the event loop it was made in, and this context is made before one
    # runs (`create` is synchronous). Tests may put their own here.
    http: aiohttp.ClientSession | None = None
    key_cache: KeyCache = field(init=False)
    state_cache: StateCache = field(init=False)

    def __post_init__(self) -> None:
        self.key_cache = KeyCache(self.settings.auth_cache_seconds, self.clock)
        self.db.changes.subscribe(self.key_cache.forget)
        self.state_cache = StateCache(self.db, self.settings.state_cache_seconds, self.clock)

    @property
    def agents(self) -> AgentClient:
        return AgentClient(self._session(), self.settings.user_agent)

    def _session(self) -> aiohttp.ClientSession:
        if self.http is None:
            self.http = agent_session()
        return self.http

    # Built on each use, so a settings object replaced at run time (the demo's public URL,
    # tests) is what the next flow sees.
    @property
    def deps(self) -> Deps:
        """What account and delivery flows take: storage, clock, settings."""
        return Deps(self.db, self.clock, self.settings)

    @property
    def forwarding(self) -> ForwardingDeps:
        """What forwarding flows and their worker take."""
        client = ForwardingClient(self._session(), self.settings.user_agent)
        return ForwardingDeps(self.db, self.clock, self.settings, client)

    @classmethod
    def create(cls, settings: Settings, clock: Clock | None = None) -> HubContext:
        db = Database(
            settings.resolved_database_url(),
            pool_size=settings.database_pool_size,
            memo_seconds=settings.read_cache_seconds,
        )
        return cls(settings=settings, db=db, clock=clock or SystemClock())

    async def close_http(self) -> None:
        """Close the agents' session, if one was made (a later call makes a new one)."""
        if self.http is not None:
            await self.http.close()
            self.http = None

    async def close(self) -> None:
        await self.close_http()
        await self.db.dispose()

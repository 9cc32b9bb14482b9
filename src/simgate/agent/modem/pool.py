"""The modem pool: one supervised GsmModem task per configured serial port."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from simgate.agent.config import AgentConfig
from simgate.agent.modem.driver import GsmModem, Opener, open_serial
from simgate.agent.store import AgentStore


class ModemPool:
    """Starts a driver per port and stops them together."""

    def __init__(
        self,
        config: AgentConfig,
        store: AgentStore,
        on_sms: Callable[[], None],
        opener: Opener = open_serial,
    ) -> None:
        self.modems = [GsmModem(port, config, store, on_sms, opener) for port in config.modems]
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        """Run every modem in its own task."""
        self._tasks = [
            asyncio.create_task(modem.run(), name=f"modem {modem.port}") for modem in self.modems
        ]

    async def stop(self) -> None:
        """Cancel the drivers and wait for them to close their ports."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []

"""A queue worker process for the kill -9 test: settings from SIMGATE_* variables, runs a
DeliveryRunner until killed (or SIGTERM)."""

from __future__ import annotations

import asyncio
import signal

from simgate.core.settings import Settings
from simgate.delivery.runner import DeliveryRunner
from simgate.hub.context import HubContext


async def main() -> None:
    ctx = HubContext.create(Settings())
    runner = DeliveryRunner(ctx)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await runner.start()
    print("worker running", flush=True)
    await stop.wait()
    await runner.stop()
    await ctx.close()


if __name__ == "__main__":
    asyncio.run(main())

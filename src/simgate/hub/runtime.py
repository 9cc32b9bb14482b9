"""Running the hub: the HTTP API and the worker loop in one process, or the worker alone."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import AsyncIterator

from simgate.hub.app import create_app
from simgate.hub.bootstrap import prepare_database
from simgate.hub.context import HubContext
from simgate.hub.server import running_server
from simgate.worker.loop import run_forever


@contextlib.asynccontextmanager
async def running_hub(
    ctx: HubContext, *, host: str, port: int, with_worker: bool = True
) -> AsyncIterator[str]:
    """The API (and, by default, the worker) until the block ends; yields the base URL."""
    await prepare_database(ctx.db)
    stop = asyncio.Event()
    async with running_server(create_app(ctx), host, port) as url:
        worker = asyncio.create_task(run_forever(ctx, stop)) if with_worker else None
        try:
            yield url
        finally:
            stop.set()
            if worker is not None:
                await worker


@contextlib.asynccontextmanager
async def running_worker(ctx: HubContext) -> AsyncIterator[None]:
    await prepare_database(ctx.db)
    stop = asyncio.Event()
    worker = asyncio.create_task(run_forever(ctx, stop))
    try:
        yield
    finally:
        stop.set()
        await worker


async def wait_for_signal() -> None:
    """Until SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()

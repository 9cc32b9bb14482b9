"""Running the hub: the HTTP API and the worker loop in one process, or the worker alone."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
from collections.abc import AsyncIterator

from simgate.accounts import confirmation
from simgate.delivery.runner import DeliveryRunner
from simgate.hub.app import create_app
from simgate.hub.bootstrap import prepare_database
from simgate.hub.context import HubContext
from simgate.hub.server import running_server
from simgate.worker.loop import run_forever

log = logging.getLogger(__name__)


@contextlib.asynccontextmanager
async def background_work(ctx: HubContext) -> AsyncIterator[None]:
    """The worker loop and the outbound-SMS runner, until the block ends."""
    stop = asyncio.Event()
    worker = asyncio.create_task(run_forever(ctx, stop))
    sms = DeliveryRunner(ctx.deps)
    await sms.start()
    try:
        yield
    finally:
        stop.set()
        await sms.stop()
        await worker


@contextlib.asynccontextmanager
async def running_hub(
    ctx: HubContext,
    *,
    host: str,
    port: int,
    with_worker: bool = True,
    own_public_url: bool = False,
    sock: socket.socket | None = None,
    prepare: bool = True,
) -> AsyncIterator[str]:
    """The API (and, by default, the background work) until the block ends; yields its URL.
    `own_public_url`: without SIMGATE_PUBLIC_URL, links point at the bound address (demo).
    `sock`: serve this listening socket instead of binding host:port. `prepare=False`: the
    caller has already migrated the database and warned about the settings."""
    if prepare:
        await prepare_database(ctx.db)
    async with contextlib.AsyncExitStack() as stack:
        # Before the first request: what this process keeps in memory is only trusted while
        # it hears every other process's commits.
        await ctx.db.start_feed()
        stack.push_async_callback(ctx.db.changes.stop)
        app = create_app(ctx)
        url = await stack.enter_async_context(running_server(app, host, port, sock=sock))
        if own_public_url and not ctx.settings.public_url:
            ctx.settings = ctx.settings.model_copy(update={"public_url": url})
        if prepare and (warning := confirmation.startup_warning(ctx.settings)) is not None:
            log.warning(warning)
        if with_worker:
            await stack.enter_async_context(background_work(ctx))
        yield url


@contextlib.asynccontextmanager
async def running_worker(ctx: HubContext) -> AsyncIterator[None]:
    """The background work alone (`simgate worker`)."""
    await prepare_database(ctx.db)
    async with background_work(ctx):
        yield


async def wait_for_signal() -> None:
    """Until SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()

"""The worker loop: run every job each tick until stopped; one job's failure never stops it."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from simgate.hub.context import HubContext
from simgate.worker.jobs import run_once

log = logging.getLogger(__name__)


async def run_forever(ctx: HubContext, stop: asyncio.Event) -> None:
    """Tick until `stop` is set."""
    while not stop.is_set():
        try:
            await run_once(ctx)
        except Exception:  # a bad tick must not end the worker; the next one retries
            log.exception("worker tick failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), ctx.settings.worker_tick_seconds)

"""`simgate serve`, `simgate worker`, `simgate demo`."""

from __future__ import annotations

import asyncio
import os

import typer

from simgate.cli.common import DatabaseOption, console, settings_with
from simgate.core import logs
from simgate.hub import processes
from simgate.hub.context import HubContext
from simgate.hub.runtime import running_worker, wait_for_signal


def _logging() -> None:
    logs.configure()


def serve(
    host: str | None = typer.Option(None, help="Address to bind (default SIMGATE_HOST)."),
    port: int | None = typer.Option(None, help="Port (default SIMGATE_PORT)."),
    database_url: str | None = DatabaseOption,
    no_worker: bool = typer.Option(False, "--no-worker", help="API only; run `simgate worker`."),
    workers: int | None = typer.Option(
        None,
        "--workers",
        min=1,
        help="Hub processes sharing the port (default SIMGATE_WORKERS; 0: one per core).",
    ),
) -> None:
    """Run the hub: buyer APIs, PUSH_SMS intake and (unless --no-worker) the workers."""
    _logging()
    settings = settings_with(database_url)
    status = processes.serve(
        settings,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers or settings.workers or os.cpu_count() or 1,
        with_worker=not no_worker,
        on_listening=lambda url: console.print(f"simgate hub listening on {url}"),
    )
    if status:
        raise typer.Exit(status)


def worker(database_url: str | None = DatabaseOption) -> None:
    """Run the background jobs only (several may share one PostgreSQL)."""
    _logging()
    settings = settings_with(database_url)

    async def run() -> None:
        ctx = HubContext.create(settings)
        try:
            async with running_worker(ctx):
                console.print("simgate worker running")
                await wait_for_signal()
        finally:
            await ctx.close()

    asyncio.run(run())

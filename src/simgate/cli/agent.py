"""`simgate agent …`: run and inspect the reference agent (a SIM-bank node)."""

from __future__ import annotations

import asyncio
import logging
import signal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from simgate.core import logs

if TYPE_CHECKING:
    from simgate.agent.config import AgentConfig

app = typer.Typer(help="Run the reference agent next to the modems.", no_args_is_help=True)

ConfigOpt = Annotated[
    Path | None, typer.Option("--config", help="TOML file: flat, or with an agent table.")
]
DataDirOpt = Annotated[
    Path | None, typer.Option("--data-dir", help="Folder of the agent's SQLite file.")
]


@app.command()
def serve(
    config: ConfigOpt = None,
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on (0 = any free port).")] = None,
    key: Annotated[str | None, typer.Option(help="Key the hub sends and PUSH_SMS carries.")] = None,
    hub_url: Annotated[str | None, typer.Option(help="The hub's PUSH_SMS URL.")] = None,
    currency: Annotated[int | None, typer.Option(help="ISO-4217 numeric currency.")] = None,
    data_dir: DataDirOpt = None,
    modem: Annotated[
        list[str] | None, typer.Option("--modem", help="Serial port of a GSM modem (repeatable).")
    ] = None,
    simulate: Annotated[int | None, typer.Option(help="Run N simulated SIMs.")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log each request.")] = False,
) -> None:
    """Serve the agent protocol and push received SMS until SIGINT or SIGTERM."""
    from simgate.agent.config import AgentConfig

    logs.configure(logging.INFO if verbose else logging.WARNING)
    # A bad value (a missing key, a hub URL that is not http) is a ValidationError: cli.errors.
    settings = AgentConfig.load(
        config, host=host, port=port, key=key, hub_url=hub_url, currency=currency,
        data_dir=data_dir, modems=modem or None, simulate=simulate,
    )  # fmt: skip
    asyncio.run(_serve(settings))  # a busy port or a locked folder: see cli.errors


async def _serve(settings: AgentConfig) -> None:
    from simgate.agent.runtime import AgentRuntime

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with AgentRuntime(settings) as agent:
        typer.echo(f"simgate agent listening on {agent.url}", err=True)
        await stop.wait()
    typer.echo("simgate agent stopped", err=True)


@app.command()
def status(config: ConfigOpt = None, data_dir: DataDirOpt = None) -> None:
    """Show SIMs, stock per service, open activations and the SMS outbox."""
    from rich.console import Console

    from simgate.agent.config import AgentConfig
    from simgate.agent.status import read_status, render

    # The key is not needed to read the file; a placeholder keeps the model valid.
    settings = AgentConfig.load(config, data_dir=data_dir, key="-")
    try:
        report = read_status(settings.data_dir, settings.services, settings.max_cancels)
    except FileNotFoundError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    render(report, Console())


config_app = typer.Typer(help="The agent's configuration.", no_args_is_help=True)
app.add_typer(config_app, name="config")


@config_app.command("show")
def config_show(config: ConfigOpt = None) -> None:
    """Print the agent's effective settings (environment and --config file), secrets masked."""
    import pydantic
    from rich.console import Console

    from simgate.agent.config import AgentConfig
    from simgate.cli.config import effective

    unset: tuple[str, ...] = ()
    try:
        settings = AgentConfig.load(config)
    except pydantic.ValidationError as exc:
        if any(e["loc"] != ("key",) or e["type"] != "missing" for e in exc.errors()):
            raise
        # `serve` refuses to start without a key; the rest is still worth seeing.
        settings, unset = AgentConfig.load(config, key="-"), ("key",)
    Console().print(effective(settings, "agent settings", unset))

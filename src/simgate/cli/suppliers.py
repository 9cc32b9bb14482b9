"""`simgate supplier …`: the agents the hub buys numbers from."""

from __future__ import annotations

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession

from simgate.audit.service import Actor
from simgate.cli.common import DatabaseOption, console, in_transaction, table, with_deps
from simgate.core.deps import Deps
from simgate.core.settings import Settings
from simgate.operators import actions, supplier_removal
from simgate.suppliers import service as suppliers

app = typer.Typer(help="Agents (SIM banks) that supply numbers.", no_args_is_help=True)


@app.command()
def add(
    name: str = typer.Argument(..., help="A name for the agent (unique)."),
    url: str = typer.Option(..., help="The agent's protocol URL."),
    key: str = typer.Option(..., help="Shared key: sent to the agent, expected on PUSH_SMS."),
    priority: int = typer.Option(0, help="Higher is asked first."),
    currency: int = typer.Option(643, help="ISO 4217 numeric: 643 RUB, 840 USD."),
    timeout: float = typer.Option(3.0, help="Seconds to wait for the agent."),
    database_url: str | None = DatabaseOption,
) -> None:
    """Register an agent."""

    async def work(deps: Deps) -> None:
        await actions.add_supplier(
            deps,
            Actor.cli(),
            name,
            url,
            key,
            priority=priority,
            timeout_seconds=timeout,
            currency=currency,
        )

    with_deps(work, database_url)
    console.print(f"supplier {escape(name)} added")


@app.command(name="set")
def set_(
    name: str = typer.Argument(..., help="The agent's name."),
    enabled: bool | None = typer.Option(
        None, "--enabled/--disabled", help="Buy from it again, or stop buying from it."
    ),
    priority: int | None = typer.Option(None, help="Higher is asked first."),
    url: str | None = typer.Option(None, help="The agent's new protocol URL."),
    database_url: str | None = DatabaseOption,
) -> None:
    """Enable, disable or re-point an agent."""

    async def work(deps: Deps) -> None:
        await actions.change_supplier(
            deps, Actor.cli(), name, url=url, priority=priority, enabled=enabled
        )

    with_deps(work, database_url)
    console.print(f"supplier {escape(name)} updated")


@app.command(name="list")
def list_(database_url: str | None = DatabaseOption) -> None:
    """Agents with stock, health and last error."""

    async def work(session: AsyncSession, settings: Settings) -> Table:
        listing = table(
            "suppliers", "name", "url", "prio", "on", "stock", "last ok", "failures", "last error"
        )
        for s, stock in await suppliers.overview(session):
            listing.add_row(
                s.name,
                s.url,
                str(s.priority),
                "yes" if s.enabled else "no",
                str(stock),
                s.last_ok_at.isoformat(timespec="seconds") if s.last_ok_at else "-",
                str(s.consecutive_failures),
                s.last_error or "",
            )
        return listing

    console.print(in_transaction(work, database_url))


@app.command()
def remove(
    name: str = typer.Argument(..., help="The agent's name."),
    database_url: str | None = DatabaseOption,
) -> None:
    """Delete an agent that nothing refers to (one added by mistake, say).

    Refused while it has open rentals, forwardings or calls owed to it: disable it with
    `simgate supplier set NAME --disabled`, then remove it once they are closed. Refused for
    good once rentals or SMS of its own are on record (they keep naming it): disable it.
    """

    async def work(deps: Deps) -> None:
        await supplier_removal.remove_supplier(deps, Actor.cli(), name)

    with_deps(work, database_url)
    console.print(f"supplier {escape(name)} removed")

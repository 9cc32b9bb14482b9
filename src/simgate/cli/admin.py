"""`simgate price …`, `simgate ledger …`, `simgate activation …`, `simgate db …`."""

from __future__ import annotations

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from simgate.activations import service as activations
from simgate.catalog import service as catalog
from simgate.cli.common import (
    DatabaseOption,
    amount,
    console,
    err_console,
    in_transaction,
    now,
    settings_with,
)
from simgate.core.settings import Settings
from simgate.ledger import service as ledger

price_app = typer.Typer(help="Prices per country and service.", no_args_is_help=True)
ledger_app = typer.Typer(help="The books.", no_args_is_help=True)
activation_app = typer.Typer(help="Operator actions on activations.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)


@price_app.command(name="set")
def price_set(
    country: int = typer.Option(..., help="onlinesim country code, e.g. 7"),
    service: str = typer.Option(..., help="Service slug or alias, e.g. vk or VKcom"),
    price: str = typer.Option(..., help="Online price, e.g. 12.50"),
    repeat: str | None = typer.Option(None),
    deferr: str | None = typer.Option(None),
    payout: str | None = typer.Option(None, help="What the agent earns per sale."),
    database_url: str | None = DatabaseOption,
) -> None:
    """Set the price of a service in a country."""
    s = settings_with(database_url)
    values = {
        k: amount(v, s) if v is not None else None
        for k, v in {"repeat": repeat, "deferr": deferr, "payout": payout}.items()
    }
    index = amount(price, s)

    async def work(session: AsyncSession, settings: Settings) -> None:
        await catalog.set_price(session, country, service, index=index, **values)

    in_transaction(work, database_url)
    console.print(f"price of {service} in {country} set to {price}")


@ledger_app.command()
def check(database_url: str | None = DatabaseOption) -> None:
    """Verify the ledger invariants; exits 1 on any violation."""

    async def work(session: AsyncSession, settings: Settings) -> list[ledger.Violation]:
        return await ledger.check(session)

    problems = in_transaction(work, database_url)
    for problem in problems:
        who = f"account {problem.account_id}" if problem.account_id else "ledger"
        err_console.print(f"[red]{who}[/red]: {problem.message}")
    if problems:
        raise typer.Exit(1)
    console.print("ledger OK")


@activation_app.command()
def refund(tzid: int, database_url: str | None = DatabaseOption) -> None:
    """Refund an activation after a problem (the agent is told status 5)."""

    async def work(session: AsyncSession, settings: Settings) -> None:
        await activations.refund(session, tzid, now())

    in_transaction(work, database_url)
    console.print(f"activation {tzid} refunded")


@db_app.command(name="upgrade")
def db_upgrade(database_url: str | None = DatabaseOption) -> None:
    """Migrate the database to the newest schema and seed the default catalog."""

    async def nothing(session: AsyncSession, settings: Settings) -> None:
        return None

    in_transaction(nothing, database_url)  # the transaction runs on a prepared database
    console.print("database is up to date")

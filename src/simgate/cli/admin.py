"""`simgate price …`, `simgate ledger …`, `simgate db …`."""

from __future__ import annotations

import asyncio

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession

from simgate.audit.service import Actor
from simgate.catalog import service as catalog
from simgate.cli.common import (
    DatabaseOption,
    amount,
    console,
    err_console,
    in_transaction,
    money,
    progress,
    settings_with,
    table,
    with_deps,
)
from simgate.core.db import Database
from simgate.core.deps import Deps
from simgate.core.settings import Settings
from simgate.hub.bootstrap import prepare_database
from simgate.ledger import service as ledger
from simgate.operators import catalog_actions

price_app = typer.Typer(help="Prices per country and service.", no_args_is_help=True)
ledger_app = typer.Typer(help="The books.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)


@price_app.command(name="set")
def price_set(
    country: int = typer.Option(..., help="onlinesim country code, e.g. 7"),
    service: str = typer.Option(..., help="Service slug or alias, e.g. vk or VKcom"),
    price: str = typer.Option(..., help="Online price, e.g. 12.50"),
    repeat: str | None = typer.Option(None, help="Price of a repeat rental (default: derived)."),
    deferr: str | None = typer.Option(None, help="Price of a deferred rental (default: derived)."),
    payout: str | None = typer.Option(None, help="What the agent earns per sale."),
    database_url: str | None = DatabaseOption,
) -> None:
    """Set the price of a service in a country (recorded in the audit list)."""
    s = settings_with(database_url)
    values = {
        k: amount(v, s) if v is not None else None
        for k, v in {"repeat": repeat, "deferr": deferr, "payout": payout}.items()
    }
    index = amount(price, s)

    async def work(deps: Deps) -> None:
        await catalog_actions.set_price(deps, Actor.cli(), country, service, index=index, **values)

    with_deps(work, database_url)
    console.print(f"price of {escape(service)} in {country} set to {escape(price)}")


@price_app.command(name="list")
def price_list(
    country: str | None = typer.Option(None, help="Only this country: its code (7) or slug."),
    service: str | None = typer.Option(None, help="Only this service: slug, alias or code."),
    database_url: str | None = DatabaseOption,
) -> None:
    """Prices per country and service: online, repeat, deferred, and the agent's payout."""

    async def work(session: AsyncSession, settings: Settings) -> Table:
        listing = table(
            "prices", "country", "code", "service", "price", "repeat", "deferr", "payout"
        )
        for price, where, what in await catalog.prices(session, country=country, service=service):
            listing.add_row(
                where.slug, str(where.code), what.slug, money(price.index_price, settings),
                money(price.repeat_price, settings), money(price.deferr_price, settings),
                money(price.payout, settings),
            )  # fmt: skip
        return listing

    console.print(in_transaction(work, database_url))


@ledger_app.command()
def check(database_url: str | None = DatabaseOption) -> None:
    """Verify the ledger invariants; exits 1 on any violation."""

    with progress("checking the ledger") as report:

        async def work(session: AsyncSession, settings: Settings) -> list[ledger.Violation]:
            return await ledger.check(session, report)

        problems = in_transaction(work, database_url)
    for problem in problems:
        who = f"account {problem.account_id}" if problem.account_id else "ledger"
        err_console.print(f"[red]{who}[/red]: {escape(problem.message)}")
    if problems:
        raise typer.Exit(1)
    console.print("ledger OK")


@db_app.command(name="upgrade")
def db_upgrade(database_url: str | None = DatabaseOption) -> None:
    """Migrate the database to the newest schema and seed the default catalog."""
    settings = settings_with(database_url)

    async def run() -> None:
        db = Database(settings.resolved_database_url())
        try:
            with progress("migrating") as report:
                await prepare_database(db, on_step=report)
        finally:
            await db.dispose()

    asyncio.run(run())
    console.print("database is up to date")

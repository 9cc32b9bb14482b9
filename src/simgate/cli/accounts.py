"""`simgate account …`: create buyers, fund them, inspect them."""

from __future__ import annotations

import json
import sys

import typer
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession

from simgate.accounts import service as accounts
from simgate.accounts import web_login
from simgate.cli.common import (
    DatabaseOption,
    amount,
    console,
    in_transaction,
    now,
    settings_with,
    with_deps,
)
from simgate.core.deps import Deps
from simgate.core.money import format_fixed
from simgate.core.settings import Settings
from simgate.ledger import service as ledger

app = typer.Typer(help="Buyer accounts: keys, balances, limits.", no_args_is_help=True)


@app.command()
def create(
    name: str,
    balance: str = typer.Option("0", help="Opening balance, e.g. 100.00"),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON object."),
    database_url: str | None = DatabaseOption,
) -> None:
    """Create an account and print its API key (shown only this once)."""
    opening = amount(balance, settings_with(database_url))

    async def work(session: AsyncSession, settings: Settings) -> accounts.NewAccount:
        return await accounts.create(session, settings, name, now(), balance=opening)

    created = in_transaction(work, database_url)
    if as_json:
        typer.echo(json.dumps({"name": name, "id": created.account.id, "apikey": created.api_key}))
    else:
        console.print(f"account [bold]{name}[/bold] created; API key: {created.api_key}")


@app.command()
def credit(name: str, value: str, database_url: str | None = DatabaseOption) -> None:
    """Add money to an account."""
    minor = amount(value, settings_with(database_url))

    async def work(session: AsyncSession, settings: Settings) -> None:
        account = await accounts.get(session, name)
        await ledger.deposit(session, account.id, minor, now(), reference="credit by operator")

    in_transaction(work, database_url)
    console.print(f"credited {value} to {name}")


@app.command()
def password(name: str, database_url: str | None = DatabaseOption) -> None:
    """Set the web login password of an account; reads it from stdin (first line)."""
    typed = sys.stdin.readline().rstrip("\r\n")

    async def work(deps: Deps) -> None:
        await web_login.set_password(deps, name, typed)

    with_deps(work, database_url)
    console.print(f"password of {name} set; its web sessions were ended")


@app.command()
def show(name: str, database_url: str | None = DatabaseOption) -> None:
    """Balance, limits and flags of an account."""

    async def work(session: AsyncSession, settings: Settings) -> Table:
        account = await accounts.get(session, name)
        view = await ledger.balance(session, account.id)
        exp = settings.currency_exponent
        table = Table(title=f"account {name}")
        table.add_column("field")
        table.add_column("value")
        for field, value in [
            ("id", account.id),
            ("blocked", account.blocked),
            ("api access", account.api_access),
            ("available", format_fixed(view.available, exp)),
            ("held", format_fixed(view.held, exp)),
            ("spent", format_fixed(view.captured, exp)),
            ("deposited", format_fixed(view.deposited, exp)),
            ("max open activations", account.max_concurrent),
            ("max getNum per minute", account.max_getnum_per_minute),
            ("max parallel getNum", account.max_parallel_getnum),
        ]:
            table.add_row(field, str(value))
        return table

    console.print(in_transaction(work, database_url))


@app.command()
def limits(
    name: str,
    max_open: int | None = typer.Option(None, help="Open activations at once."),
    per_minute: int | None = typer.Option(None, help="getNum requests per minute."),
    parallel: int | None = typer.Option(None, help="getNum requests in flight at once."),
    blocked: bool | None = typer.Option(None, "--blocked/--unblocked"),
    api_access: bool | None = typer.Option(None, "--api/--no-api"),
    database_url: str | None = DatabaseOption,
) -> None:
    """Change an account's limits and flags."""

    async def work(session: AsyncSession, settings: Settings) -> None:
        accounts.set_limits(
            await accounts.get(session, name),
            max_concurrent=max_open,
            max_getnum_per_minute=per_minute,
            max_parallel_getnum=parallel,
            blocked=blocked,
            api_access=api_access,
        )

    in_transaction(work, database_url)
    console.print(f"account {name} updated")

"""`simgate account …`: create buyers, fund them, inspect them."""

from __future__ import annotations

import json
import sys

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession

from simgate.accounts import service as accounts
from simgate.accounts import web_login
from simgate.audit import service as audit
from simgate.audit.service import Actor
from simgate.cli.common import (
    DatabaseOption,
    amount,
    console,
    in_transaction,
    money,
    now,
    settings_with,
    table,
    with_deps,
)
from simgate.core.deps import Deps
from simgate.core.money import format_fixed
from simgate.core.settings import Settings
from simgate.ledger import service as ledger
from simgate.operators import actions, catalog_actions

app = typer.Typer(help="Buyer accounts: keys, balances, limits.", no_args_is_help=True)

NameArgument = typer.Argument(..., help="Account name.")


@app.command()
def create(
    name: str = NameArgument,
    balance: str = typer.Option("0", help="Opening balance, e.g. 100.00"),
    operator: bool = typer.Option(
        False, "--operator", help="An operator: may open the console at /admin."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON object."),
    database_url: str | None = DatabaseOption,
) -> None:
    """Create an account and print its API key (shown only this once)."""
    opening = amount(balance, settings_with(database_url))

    async def work(session: AsyncSession, settings: Settings) -> accounts.NewAccount:
        at = now()
        created = await accounts.create(
            session, settings, name, at, balance=opening, is_operator=operator
        )
        await audit.record(
            session, Actor.cli(), "account.create", name, at, balance=opening, operator=operator
        )
        return created

    created = in_transaction(work, database_url)
    if as_json:
        typer.echo(json.dumps({"name": name, "id": created.account.id, "apikey": created.api_key}))
    else:
        console.print(f"account [bold]{escape(name)}[/bold] created; API key: {created.api_key}")


@app.command()
def credit(
    name: str = NameArgument,
    value: str = typer.Argument(..., help="Amount to add, e.g. 100.00."),
    database_url: str | None = DatabaseOption,
) -> None:
    """Add money to an account."""
    minor = amount(value, settings_with(database_url))

    async def work(deps: Deps) -> None:
        await actions.credit(deps, Actor.cli(), name, minor, "credit by operator")

    with_deps(work, database_url)
    console.print(f"credited {escape(value)} to {escape(name)}")


@app.command()
def password(name: str = NameArgument, database_url: str | None = DatabaseOption) -> None:
    """Set the web login password of an account; reads it from stdin (first line)."""
    typed = sys.stdin.readline().rstrip("\r\n")

    async def work(deps: Deps) -> None:
        await web_login.set_password(deps, name, typed)

    with_deps(work, database_url)
    console.print(f"password of {escape(name)} set; its web sessions were ended")


@app.command()
def show(name: str = NameArgument, database_url: str | None = DatabaseOption) -> None:
    """Balance, limits and flags of an account."""

    async def work(session: AsyncSession, settings: Settings) -> Table:
        account = await accounts.get(session, name)
        view = await ledger.balance(session, account.id)
        exp = settings.currency_exponent
        fields = table(f"account {name}", "field", "value")
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
            fields.add_row(field, str(value))
        return fields

    console.print(in_transaction(work, database_url))


@app.command()
def limits(
    name: str = NameArgument,
    max_open: int | None = typer.Option(None, help="Open activations at once."),
    per_minute: int | None = typer.Option(None, help="getNum requests per minute."),
    parallel: int | None = typer.Option(None, help="getNum requests in flight at once."),
    blocked: bool | None = typer.Option(
        None, "--blocked/--unblocked", help="Block the account (every request refused), or not."
    ),
    api_access: bool | None = typer.Option(
        None, "--api/--no-api", help="Allow the buyer API, or refuse it."
    ),
    database_url: str | None = DatabaseOption,
) -> None:
    """Change an account's limits and flags (recorded in the audit list)."""

    async def work(deps: Deps) -> None:
        await catalog_actions.set_limits(
            deps,
            Actor.cli(),
            name,
            max_open=max_open,
            per_minute=per_minute,
            parallel=parallel,
            blocked=blocked,
            api_access=api_access,
        )

    with_deps(work, database_url)
    console.print(f"account {escape(name)} updated")


@app.command(name="set")
def set_(
    name: str = NameArgument,
    operator: bool | None = typer.Option(
        None, "--operator/--no-operator", help="May open the console at /admin, or not."
    ),
    database_url: str | None = DatabaseOption,
) -> None:
    """Make an account an operator, or a buyer again."""

    async def work(deps: Deps) -> None:
        await actions.set_flags(deps, Actor.cli(), name, operator=operator)

    with_deps(work, database_url)
    console.print(f"account {escape(name)} updated")


@app.command(name="list")
def list_(
    name: str = typer.Option("", "--name", help="Only names containing this (any case)."),
    blocked: bool | None = typer.Option(
        None, "--blocked/--unblocked", help="Only blocked, or only unblocked accounts."
    ),
    operator: bool | None = typer.Option(
        None, "--operator/--buyer", help="Only operators (admins), or only buyers."
    ),
    api_access: bool | None = typer.Option(
        None, "--api/--no-api", help="Only accounts with, or without, API access."
    ),
    limit: int = typer.Option(100, help="At most this many accounts, by name."),
    database_url: str | None = DatabaseOption,
) -> None:
    """Accounts with their balance, held money and flags."""

    async def work(session: AsyncSession, settings: Settings) -> Table:
        found = await accounts.listing(
            session,
            name_part=name,
            blocked=blocked,
            is_operator=operator,
            api_access=api_access,
            limit=limit,
        )
        listing = table("accounts", "id", "name", "available", "held", "flags")
        for line in found:
            a = line.account
            flags = [
                word
                for word, on in (
                    ("operator", a.is_operator),
                    ("blocked", a.blocked),
                    ("no-api", not a.api_access),
                )
                if on
            ]
            listing.add_row(
                str(a.id),
                a.name,
                money(line.available, settings),
                money(line.held, settings),
                " ".join(flags) or "-",
            )
        return listing

    console.print(in_transaction(work, database_url))


@app.command()
def debit(
    name: str = NameArgument,
    value: str = typer.Argument(..., help="Amount to take, e.g. 12.50."),
    reason: str = typer.Option(..., help="Why (kept on the ledger entry, at most 64 chars)."),
    database_url: str | None = DatabaseOption,
) -> None:
    """Take money from an account's available balance (a ledger entry); refuses more than
    is available."""
    minor = amount(value, settings_with(database_url))

    async def work(deps: Deps) -> None:
        try:
            await actions.debit(deps, Actor.cli(), name, minor, reason)
        except ledger.InsufficientFunds:
            async with deps.db.read() as session:
                account = await accounts.get(session, name)
                available = (await ledger.balance(session, account.id)).available
            raise ledger.InsufficientFunds(
                f"{name} has {money(available, deps.settings)} available; cannot debit {value}"
            ) from None

    with_deps(work, database_url)
    console.print(f"debited {escape(value)} from {escape(name)}")

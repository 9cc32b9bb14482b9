"""Outbound SMS administration: `simgate sender …`, `simgate stoplist …`, `simgate delivery …`.

Three Typer apps, registered in cli/main.py as the groups `sender`, `stoplist`, `delivery`.
"""

from __future__ import annotations

import typer
from rich.markup import escape
from sqlalchemy.ext.asyncio import AsyncSession

from simgate.accounts import service as accounts
from simgate.cli.common import DatabaseOption, console, in_transaction, now, table, with_deps
from simgate.core.deps import Deps
from simgate.core.settings import Settings
from simgate.models import Account

sender_app = typer.Typer(help="Sender names: requests and moderation.", no_args_is_help=True)
stoplist_app = typer.Typer(help="Numbers nobody may send SMS to.", no_args_is_help=True)
delivery_app = typer.Typer(help="The delivery-api (outbound SMS).", no_args_is_help=True)

AccountOption = typer.Option(..., "--account", "-a", help="Account name.")
SenderArgument = typer.Argument(..., help="Sender name (what recipients see as From).")
PhoneArgument = typer.Argument(..., help="Phone number, digits with the country code.")


def _decide(name: str, account: str, state: str, database_url: str | None) -> None:
    from simgate.audit.service import Actor
    from simgate.operators import actions

    async def work(deps: Deps) -> None:
        await actions.decide_sender(deps, Actor.cli(), account, name, state)

    with_deps(work, database_url)


@sender_app.command()
def approve(
    name: str = SenderArgument,
    account: str = AccountOption,
    database_url: str | None = DatabaseOption,
) -> None:
    """Approve a sender name for an account (registering it if it was never requested)."""
    _decide(name, account, "completed", database_url)
    console.print(f"sender [bold]{escape(name)}[/bold] approved for {escape(account)}")


@sender_app.command()
def reject(
    name: str = SenderArgument,
    account: str = AccountOption,
    database_url: str | None = DatabaseOption,
) -> None:
    """Reject a sender name of an account."""
    _decide(name, account, "rejected", database_url)
    console.print(f"sender [bold]{escape(name)}[/bold] rejected for {escape(account)}")


@sender_app.command()
def request(
    name: str = SenderArgument,
    account: str = AccountOption,
    database_url: str | None = DatabaseOption,
) -> None:
    """Register a sender name for an account, awaiting moderation."""
    _decide(name, account, "moderation", database_url)
    console.print(f"sender [bold]{escape(name)}[/bold] of {escape(account)} awaits moderation")


@sender_app.command("list")
def list_senders(
    account: str | None = typer.Option(None, "--account", "-a", help="Only this account."),
    database_url: str | None = DatabaseOption,
) -> None:
    """Sender names and their state (moderation, completed, rejected)."""
    from simgate.delivery import admin

    async def work(session: AsyncSession, settings: Settings) -> list[tuple[str, ...]]:
        owner = await accounts.get(session, account) if account else None
        rows: list[tuple[str, ...]] = []
        for sender in await admin.senders(session, owner.id if owner else None):
            holder = await session.get(Account, sender.account_id)
            holder_name = holder.name if holder else str(sender.account_id)
            rows.append((holder_name, sender.name, sender.state, str(sender.requested_at)[:19]))
        return rows

    senders = table("sender names", "account", "sender", "state", "requested")
    for row in in_transaction(work, database_url):
        senders.add_row(*row)
    console.print(senders)


@stoplist_app.command("add")
def stoplist_add(
    phone: str = PhoneArgument,
    reason: str = typer.Option("", help="Why (opt-out, complaint, …)."),
    database_url: str | None = DatabaseOption,
) -> None:
    """Forbid sending to a number (recorded in the audit list)."""
    from simgate.audit.service import Actor
    from simgate.delivery.service import normalize_phone
    from simgate.operators import catalog_actions

    async def work(deps: Deps) -> None:
        await catalog_actions.stop_list_add(deps, Actor.cli(), phone, reason)

    with_deps(work, database_url)
    console.print(f"{escape(normalize_phone(phone) or phone)} is on the stop-list")


@stoplist_app.command("remove")
def stoplist_remove(phone: str = PhoneArgument, database_url: str | None = DatabaseOption) -> None:
    """Allow sending to a number again (recorded in the audit list)."""
    from simgate.audit.service import Actor
    from simgate.operators import catalog_actions

    async def work(deps: Deps) -> bool:
        return await catalog_actions.stop_list_remove(deps, Actor.cli(), phone)

    removed = with_deps(work, database_url)
    console.print(
        f"{escape(phone)} removed" if removed else f"{escape(phone)} was not on the stop-list"
    )


@stoplist_app.command("list")
def stoplist_list(database_url: str | None = DatabaseOption) -> None:
    """Every stop-listed number."""
    from simgate.delivery import admin

    async def work(session: AsyncSession, settings: Settings) -> list[tuple[str, str, str]]:
        entries = await admin.stop_list(session)
        return [(e.phone, e.reason, str(e.created_at)[:19]) for e in entries]

    entries = table("stop-list", "phone", "reason", "since")
    for row in in_transaction(work, database_url):
        entries.add_row(*row)
    console.print(entries)


@delivery_app.command()
def key(
    account: str = typer.Argument(..., help="Account name."),
    rotate: bool = typer.Option(False, "--rotate", help="Replace the secret (old one stops)."),
    database_url: str | None = DatabaseOption,
) -> None:
    """Print the account's delivery-api signing secret (created on first call)."""
    from simgate.delivery import auth

    async def work(session: AsyncSession, settings: Settings) -> str:
        owner = await accounts.get(session, account)
        return await auth.issue_secret(session, owner.id, now(), rotate=rotate)

    # Printed on purpose: this is how an operator hands the secret to the customer.
    typer.echo(in_transaction(work, database_url))

"""`simgate activation …`: look at rentals of every account, refund one after a problem."""

from __future__ import annotations

import typer
from rich.console import Group
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession

from simgate.activations import history
from simgate.activations import service as activations
from simgate.cli.common import DatabaseOption, console, in_transaction, moment, money, now, table
from simgate.core.settings import Settings

app = typer.Typer(help="Rentals (activations): list, inspect, refund.", no_args_is_help=True)

TzidArgument = typer.Argument(..., help="The activation's id (onlinesim tzid).")


@app.command(name="list")
def list_(
    account: str | None = typer.Option(None, "--account", "-a", help="Only this account's."),
    state: str | None = typer.Option(
        None, help="Only in this state: pending, waiting, answered, sold, refunded, failed."
    ),
    limit: int = typer.Option(50, help="At most this many, newest first."),
    database_url: str | None = DatabaseOption,
) -> None:
    """The newest rentals with their account, number, state and supplier."""

    async def work(session: AsyncSession, settings: Settings) -> Table:
        listing = table(
            "activations", "tzid", "account", "service", "phone", "state", "price", "supplier",
            "created",
        )  # fmt: skip
        for line in await history.rentals(session, account=account, state=state, limit=limit):
            a = line.activation
            listing.add_row(
                str(a.id), line.account, line.service, a.phone or "-", a.state,
                money(a.price, settings), line.supplier or "-", moment(a.created_at),
            )  # fmt: skip
        return listing

    console.print(in_transaction(work, database_url))


@app.command()
def show(tzid: int = TzidArgument, database_url: str | None = DatabaseOption) -> None:
    """One rental in full: its fields, supplier, SMS and ledger entries."""

    async def work(session: AsyncSession, settings: Settings) -> Group:
        record = await history.rental(session, tzid)
        a = record.line.activation
        fields = table(f"activation {a.id}", "field", "value")
        for name, value in (
            ("account", record.line.account),
            ("service", record.line.service),
            ("country", str(a.country_code)),
            ("operator", a.operator_slug),
            ("form", a.form),
            ("state", a.state),
            ("phone", a.phone or "-"),
            ("price", money(a.price, settings)),
            ("supplier", record.line.supplier or "-"),
            ("agent activation id", str(a.agent_activation_id or "-")),
            ("failure", a.failure or "-"),
            ("created", moment(a.created_at)),
            ("number given", moment(a.number_at)),
            ("expires", moment(a.expires_at)),
            ("finished", moment(a.finished_at)),
        ):
            fields.add_row(name, value)
        messages = table("SMS", "seq", "received", "sender", "code", "text")
        for sms in record.messages:
            messages.add_row(
                str(sms.seq or "-"), moment(sms.received_at), sms.sender, sms.code or "-", sms.text
            )
        entries = table("ledger entries", "id", "kind", "amount", "at", "reference")
        for entry in record.entries:
            entries.add_row(
                str(entry.id), entry.kind, money(entry.amount, settings),
                moment(entry.created_at), entry.reference or "-",
            )  # fmt: skip
        return Group(fields, messages, entries)

    console.print(in_transaction(work, database_url))


@app.command()
def refund(tzid: int = TzidArgument, database_url: str | None = DatabaseOption) -> None:
    """Refund an activation after a problem (the agent is told status 5)."""

    async def work(session: AsyncSession, settings: Settings) -> None:
        await activations.refund(session, tzid, now())

    in_transaction(work, database_url)
    console.print(f"activation {tzid} refunded")

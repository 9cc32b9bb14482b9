"""`simgate` entry point: assembles the command groups."""

from __future__ import annotations

import typer

from simgate import __version__
from simgate.cli import (
    accounts,
    activations,
    admin,
    agent,
    auth,
    config,
    delivery,
    demo,
    hub,
    suppliers,
)
from simgate.cli.errors import ReportingGroup

app = typer.Typer(
    cls=ReportingGroup,
    name="simgate",
    help="simgate: an SMS-activation platform (hub, agent, admin tools).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    # -h everywhere, as operators type it by habit.
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"simgate {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False,
        "--version",
        "-V",
        callback=_print_version,
        is_eager=True,
        help="Print the version and exit.",
    ),
) -> None:
    """simgate: an SMS-activation platform (hub, agent, admin tools)."""


app.command()(hub.serve)
app.command()(hub.worker)
app.command()(demo.demo)
app.add_typer(accounts.app, name="account")
app.add_typer(suppliers.app, name="supplier")
app.add_typer(admin.price_app, name="price")
app.add_typer(admin.ledger_app, name="ledger")
app.add_typer(activations.app, name="activation")
app.add_typer(admin.db_app, name="db")
app.add_typer(delivery.sender_app, name="sender")
app.add_typer(delivery.stoplist_app, name="stoplist")
app.add_typer(delivery.delivery_app, name="delivery")
app.add_typer(auth.devkey_app, name="devkey")
app.add_typer(auth.rsa_app, name="rsa")
app.add_typer(agent.app, name="agent")
app.add_typer(config.app, name="config")


def main() -> None:
    app()


if __name__ == "__main__":
    main()

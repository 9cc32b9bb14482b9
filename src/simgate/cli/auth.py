"""`simgate devkey …` and `simgate rsa …`: developer keys and the hub's RSA key pair."""

from __future__ import annotations

import json

import typer
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession

from simgate.accounts import devkeys, rsa_keys
from simgate.cli.common import DatabaseOption, console, err_console, in_transaction, now, table
from simgate.core.settings import Settings

devkey_app = typer.Typer(
    help="Developer keys that register and login require.", no_args_is_help=True
)
rsa_app = typer.Typer(help="The RSA key pair behind /api/public.pem.", no_args_is_help=True)


@devkey_app.command("issue")
def issue(
    note: str = typer.Option("", help="Who the key is for (shown by `devkey list`)."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON object."),
    database_url: str | None = DatabaseOption,
) -> None:
    """Issue a new dev key and print it (shown only this once)."""

    async def work(session: AsyncSession, settings: Settings) -> str:
        return await devkeys.issue(session, now(), note)

    key = in_transaction(work, database_url)
    if as_json:
        typer.echo(json.dumps({"dev_key": key}))
    else:
        typer.echo(key)


@devkey_app.command("list")
def listing(database_url: str | None = DatabaseOption) -> None:
    """Every dev key: id, prefix, note, when issued and revoked."""

    async def work(session: AsyncSession, settings: Settings) -> Table:
        keys = table("dev keys", "id", "prefix", "note", "issued", "revoked")
        for key in await devkeys.listing(session):
            revoked = key.revoked_at.isoformat(" ", "seconds") if key.revoked_at else ""
            keys.add_row(
                str(key.id), key.prefix + "…", key.note,
                key.created_at.isoformat(" ", "seconds"), revoked,
            )  # fmt: skip
        return keys

    console.print(in_transaction(work, database_url))


@devkey_app.command("revoke")
def revoke(
    key_id: int = typer.Argument(..., help="The dev key's id (see `devkey list`)."),
    database_url: str | None = DatabaseOption,
) -> None:
    """Revoke a dev key by its id (register and login refuse it from now on)."""

    async def work(session: AsyncSession, settings: Settings) -> bool:
        return await devkeys.revoke(session, key_id, now())

    if not in_transaction(work, database_url):
        err_console.print(f"[red]no unrevoked dev key with id {key_id}[/red]")
        raise typer.Exit(1)
    console.print(f"dev key {key_id} revoked")


@rsa_app.command("rotate")
def rotate(database_url: str | None = DatabaseOption) -> None:
    """Publish a new key pair. The previous one still decrypts for SIMGATE_RSA_GRACE_SECONDS
    (clients holding the old public key keep working); pairs retired longer ago are deleted."""

    async def work(session: AsyncSession, settings: Settings) -> int:
        pair = rsa_keys.generate(settings.rsa_key_bits)
        moment = now()
        key_id = await rsa_keys.install(session, pair, moment, replace=True)
        await rsa_keys.purge(session, moment, settings.rsa_grace_seconds)
        return key_id

    key_id = in_transaction(work, database_url)
    console.print(f"RSA key pair {key_id} published at /api/public.pem")


@rsa_app.command("show")
def show(database_url: str | None = DatabaseOption) -> None:
    """Print the published public key (PEM), generating the first pair if there is none."""

    async def work(session: AsyncSession, settings: Settings) -> str:
        row = await rsa_keys.current(session)
        if row is None:
            await rsa_keys.install(
                session, rsa_keys.generate(settings.rsa_key_bits), now(), replace=False
            )
            row = await rsa_keys.current(session)
        assert row is not None
        return row.public_pem

    typer.echo(in_transaction(work, database_url), nl=False)

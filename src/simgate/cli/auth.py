"""`simgate devkey …` and `simgate rsa …`: developer keys and the hub's RSA key pair."""

from __future__ import annotations

import json

import typer
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession

from simgate.accounts import devkeys, rsa_keys
from simgate.audit.service import Actor
from simgate.cli.common import DatabaseOption, console, in_transaction, now, table, with_deps
from simgate.core.deps import Deps
from simgate.core.settings import Settings
from simgate.operators import security_actions

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

    async def work(deps: Deps) -> str | None:
        return await security_actions.issue_dev_key(deps, Actor.cli(), note)

    key = with_deps(work, database_url)
    assert key is not None  # the command line sends no request key: never a repeat
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

    async def work(deps: Deps) -> bool:
        return await security_actions.revoke_dev_key(deps, Actor.cli(), key_id)

    with_deps(work, database_url)  # DevKeyNotFound: `error: …` and exit 1, by cli.errors
    console.print(f"dev key {key_id} revoked")


@rsa_app.command("rotate")
def rotate(database_url: str | None = DatabaseOption) -> None:
    """Publish a new key pair. The previous one still decrypts for SIMGATE_RSA_GRACE_SECONDS
    (clients holding the old public key keep working); pairs retired longer ago are deleted."""

    async def work(deps: Deps) -> int | None:
        return await security_actions.rotate_rsa_key(deps, Actor.cli())

    key_id = with_deps(work, database_url)
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

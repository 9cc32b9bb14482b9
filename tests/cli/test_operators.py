"""`simgate account create --operator` and `account set --operator/--no-operator`, and the
audit rows the command line writes for the actions it shares with the console."""

from __future__ import annotations

import asyncio

from typer.testing import CliRunner

from simgate.accounts import service as accounts
from simgate.audit import service as audit
from simgate.cli.main import app
from simgate.core.db import Database

runner = CliRunner()


async def cli(database_url: str, *args: str) -> int:
    """The command in a thread (it runs its own event loop), as an operator types it."""
    argv = [*args, "--database-url", database_url]
    result = await asyncio.to_thread(runner.invoke, app, argv)
    return result.exit_code


async def is_operator(db: Database, name: str) -> bool:
    async with db.read() as session:
        return (await accounts.get(session, name)).is_operator


async def test_operators_are_made_and_unmade_and_each_change_is_recorded(db, database_url):
    assert await cli(database_url, "account", "create", "boss", "--operator") == 0
    assert await cli(database_url, "account", "create", "bob") == 0
    assert await is_operator(db, "boss") and not await is_operator(db, "bob")
    listed = await asyncio.to_thread(
        runner.invoke, app, ["account", "list", "--operator", "--database-url", database_url]
    )
    assert "boss" in listed.output and "bob" not in listed.output

    assert await cli(database_url, "account", "set", "bob", "--operator") == 0
    assert await cli(database_url, "account", "set", "boss", "--no-operator") == 0
    assert await is_operator(db, "bob") and not await is_operator(db, "boss")
    assert await cli(database_url, "account", "set", "nobody", "--operator") == 1

    assert await cli(database_url, "account", "credit", "bob", "2.50") == 0
    assert await cli(database_url, "account", "debit", "bob", "9", "--reason", "x") == 1
    events = await audit.read_page(db, None, 20)
    assert [(e.actor, e.action, e.subject) for e in reversed(events)] == [
        ("cli", "account.create", "boss"),
        ("cli", "account.create", "bob"),
        ("cli", "account.set", "bob"),
        ("cli", "account.set", "boss"),
        ("cli", "account.credit", "bob"),
    ]

"""The operator's commands, run as an operator runs them, against the test database."""

from __future__ import annotations

import asyncio
import json

from sqlalchemy import update
from typer.testing import CliRunner

from simgate.cli.main import app
from simgate.core.db import Database
from simgate.models import Balance

runner = CliRunner()


def cli(database_url: str, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, [*args, "--database-url", database_url])
    return result.exit_code, result.output


def test_accounts_suppliers_prices_and_ledger(db, database_url):
    code, out = cli(database_url, "account", "create", "alice", "--balance", "100.50", "--json")
    assert code == 0, out
    created = json.loads(out)
    assert len(created["apikey"]) == 40
    assert cli(database_url, "account", "create", "alice")[0] == 1  # exists already
    assert cli(database_url, "account", "credit", "alice", "20")[0] == 0
    assert cli(database_url, "account", "credit", "alice", "1.001")[0] == 1  # 3 decimals
    code, out = cli(database_url, "account", "show", "alice")
    assert code == 0 and "120.50" in out
    assert cli(database_url, "account", "limits", "alice", "--max-open", "3")[0] == 0
    assert cli(database_url, "account", "show", "nobody")[0] == 1

    code, out = cli(
        database_url,
        "supplier",
        "add",
        "bank1",
        "--url",
        "http://127.0.0.1:9/",
        "--key",
        "k1",
        "--priority",
        "5",
    )
    assert code == 0, out
    code, out = cli(database_url, "supplier", "list")
    assert code == 0 and "bank1" in out
    assert cli(database_url, "supplier", "set", "bank1", "--disabled")[0] == 0

    code, out = cli(
        database_url,
        "price",
        "set",
        "--country",
        "7",
        "--service",
        "vk",
        "--price",
        "12.50",
        "--payout",
        "8.00",
    )
    assert code == 0, out
    assert (
        cli(database_url, "price", "set", "--country", "7", "--service", "nosuch", "--price", "1")[
            0
        ]
        == 1
    )

    code, out = cli(database_url, "ledger", "check")
    assert code == 0 and "ledger OK" in out


def test_ledger_check_fails_on_a_broken_book(db, database_url):
    assert cli(database_url, "account", "create", "bob", "--balance", "5")[0] == 0

    async def tamper() -> None:
        database = Database(database_url)
        async with database.transaction() as session:
            await session.execute(update(Balance).values(captured=7))
        await database.dispose()

    asyncio.run(tamper())
    result = runner.invoke(app, ["ledger", "check", "--database-url", database_url])
    assert result.exit_code == 1
    assert "deposited 500" in result.output + (result.stderr or "")

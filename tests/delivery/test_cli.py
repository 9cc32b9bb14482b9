"""`simgate sender …`, `simgate stoplist …`, `simgate delivery key …` as an operator runs them."""

from __future__ import annotations

import typer
from typer.testing import CliRunner

from simgate.cli import delivery
from simgate.core.db import Database

app = typer.Typer()
app.add_typer(delivery.sender_app, name="sender")
app.add_typer(delivery.stoplist_app, name="stoplist")
app.add_typer(delivery.delivery_app, name="delivery")
runner = CliRunner()


def cli(database_url: str, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, [*args, "--database-url", database_url])
    return result.exit_code, result.output


def test_sender_moderation(db: Database, database_url: str) -> None:
    from simgate.cli.main import app as main_app

    assert (
        CliRunner()
        .invoke(main_app, ["account", "create", "alice", "--database-url", database_url])
        .exit_code
        == 0
    )
    assert cli(database_url, "sender", "approve", "Shop", "--account", "alice")[0] == 0
    assert cli(database_url, "sender", "request", "Later", "--account", "alice")[0] == 0
    code, out = cli(database_url, "sender", "list")
    assert code == 0
    assert "Shop" in out and "completed" in out and "Later" in out and "moderation" in out
    assert cli(database_url, "sender", "reject", "Later", "--account", "alice")[0] == 0
    assert "rejected" in cli(database_url, "sender", "list", "--account", "alice")[1]
    assert cli(database_url, "sender", "approve", "bad name!!", "--account", "alice")[0] == 1
    assert cli(database_url, "sender", "approve", "Shop", "--account", "nobody")[0] == 1


def test_signing_key_and_stop_list(db: Database, database_url: str) -> None:
    from simgate.cli.main import app as main_app

    assert (
        CliRunner()
        .invoke(main_app, ["account", "create", "bob", "--database-url", database_url])
        .exit_code
        == 0
    )
    code, first = cli(database_url, "delivery", "key", "bob")
    assert code == 0 and len(first.strip()) == 40
    assert cli(database_url, "delivery", "key", "bob")[1] == first  # stable until rotated
    rotated = cli(database_url, "delivery", "key", "bob", "--rotate")[1]
    assert rotated.strip() and rotated != first
    assert cli(database_url, "stoplist", "add", "8 900 111-22-33", "--reason", "opt-out")[0] == 0
    code, out = cli(database_url, "stoplist", "list")
    assert code == 0 and "79001112233" in out and "opt-out" in out
    assert "removed" in cli(database_url, "stoplist", "remove", "+79001112233")[1]
    assert "was not" in cli(database_url, "stoplist", "remove", "79001112233")[1]
    assert cli(database_url, "stoplist", "add", "12")[0] == 1

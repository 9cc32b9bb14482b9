"""`simgate devkey …` and `simgate rsa …` as an operator runs them."""

from __future__ import annotations

import json

import typer
from typer.testing import CliRunner

from simgate.cli import auth
from simgate.core.db import Database

app = typer.Typer()
app.add_typer(auth.devkey_app, name="devkey")
app.add_typer(auth.rsa_app, name="rsa")
runner = CliRunner()


def cli(database_url: str, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, [*args, "--database-url", database_url])
    return result.exit_code, result.output


def test_dev_keys(db: Database, database_url: str) -> None:
    code, out = cli(database_url, "devkey", "issue", "--json", "--note", "acme")
    assert code == 0
    key = json.loads(out)["dev_key"]
    assert key.startswith("dev_") and len(key) > 30
    code, plain = cli(database_url, "devkey", "issue")
    assert code == 0 and plain.strip().startswith("dev_")
    code, listing = cli(database_url, "devkey", "list")
    assert code == 0 and key[:8] in listing and "acme" in listing
    assert cli(database_url, "devkey", "revoke", "1")[0] == 0
    assert cli(database_url, "devkey", "revoke", "1")[0] == 1


def test_rsa_rotation(db: Database, database_url: str) -> None:
    code, first = cli(database_url, "rsa", "show")
    assert code == 0 and first.startswith("-----BEGIN PUBLIC KEY-----")
    assert cli(database_url, "rsa", "show")[1] == first
    code, out = cli(database_url, "rsa", "rotate")
    assert code == 0 and "published" in out
    second = cli(database_url, "rsa", "show")[1]
    assert second.startswith("-----BEGIN PUBLIC KEY-----") and second != first

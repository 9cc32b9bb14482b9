"""Long operations report progress: the ledger check per batch, migrations per step; a
bar is drawn only on a terminal, so scripts read clean output."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console
from sqlalchemy import update
from typer.testing import CliRunner

from simgate.accounts import service as accounts
from simgate.cli.common import progress
from simgate.cli.main import app
from simgate.core.clock import FrozenClock
from simgate.core.db import Database
from simgate.core.migrate import MIGRATIONS_DIR, upgrade
from simgate.core.settings import Settings
from simgate.ledger import service as ledger
from simgate.models import Balance

runner = CliRunner()


async def test_ledger_check_reports_every_batch_and_checks_them_all(
    db: Database, settings: Settings, clock: FrozenClock
) -> None:
    async with db.transaction() as session:
        ids = []
        for n in range(5):
            new = await accounts.create(session, settings, f"a{n}", clock.now(), balance=100)
            ids.append(new.account.id)
        await ledger.hold(session, ids[0], 10, clock.now(), "r1")
        await ledger.hold(session, ids[1], 10, clock.now(), "r2")
    seen: list[tuple[int, int]] = []
    async with db.read() as session:
        assert await ledger.check(session, lambda done, total: seen.append((done, total))) == []
    assert seen == [(5, 7), (7, 7)]

    seen.clear()
    async with db.transaction() as session:  # the last account of the last batch goes wrong
        await session.execute(update(Balance).where(Balance.account_id == ids[4]).values(held=3))
    async with db.read() as session:
        problems = await ledger.check(
            session, lambda done, total: seen.append((done, total)), batch=2
        )
    assert [p.account_id for p in problems] == [ids[4], ids[4], ids[4]]
    assert seen == [(2, 7), (4, 7), (5, 7), (7, 7)]


def test_migrations_report_each_step(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"
    steps: list[tuple[int, int]] = []
    upgrade(url, on_step=lambda done, total: steps.append((done, total)))
    total = len([p for p in MIGRATIONS_DIR.glob("versions/*.py") if p.name != "__init__.py"])
    assert steps == [(n, total) for n in range(total + 1)]
    steps.clear()
    upgrade(url, on_step=lambda done, total: steps.append((done, total)))
    assert steps == [(0, 0)]


def test_a_bar_is_drawn_on_a_terminal_only() -> None:
    out = io.StringIO()
    terminal = Console(file=out, force_terminal=True, width=80)
    with progress("checking the ledger", terminal) as report:
        report(3, 10)
    assert "checking the ledger" in out.getvalue()

    piped = io.StringIO()
    with progress("checking the ledger", Console(file=piped, force_terminal=False)) as report:
        report(3, 10)
    assert piped.getvalue() == ""


def test_piped_commands_print_only_their_result(db: Database, database_url: str) -> None:
    upgraded = runner.invoke(app, ["db", "upgrade", "--database-url", database_url])
    assert upgraded.exit_code == 0, upgraded.output
    assert upgraded.stdout == "database is up to date\n" and upgraded.stderr == ""
    checked = runner.invoke(app, ["ledger", "check", "--database-url", database_url])
    assert checked.stdout == "ledger OK\n" and checked.stderr == ""

"""Helpers shared by the command groups: settings, one transaction per command, output."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import typer
from rich.console import Console, RenderableType
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
from rich.progress import Progress as RichProgress
from rich.table import Table
from rich.text import Text
from sqlalchemy.ext.asyncio import AsyncSession

from simgate.core.clock import SystemClock
from simgate.core.db import Database
from simgate.core.deps import Deps
from simgate.core.money import format_fixed, parse_amount
from simgate.core.settings import Settings, get_settings
from simgate.hub.bootstrap import prepare_database

T = TypeVar("T")
Progress = Callable[[int, int], None]  # (done, total)
console = Console()
err_console = Console(stderr=True)


def settings_with(database_url: str | None = None) -> Settings:
    base = get_settings()
    return base.model_copy(update={"database_url": database_url}) if database_url else base


def amount(text: str, settings: Settings) -> int:
    """Minor units of a decimal amount typed by the operator (InvalidAmount if it is not one)."""
    return parse_amount(text, settings.currency_exponent)


def in_transaction(
    work: Callable[[AsyncSession, Settings], Awaitable[T]], database_url: str | None = None
) -> T:
    """Run `work` in one committed transaction on a prepared database (errors: cli.errors)."""
    settings = settings_with(database_url)

    async def run() -> T:
        db = Database(settings.resolved_database_url())
        try:
            await prepare_database(db)
            async with db.transaction() as session:
                return await work(session, settings)
        finally:
            await db.dispose()

    return asyncio.run(run())


def with_deps(work: Callable[[Deps], Awaitable[T]], database_url: str | None = None) -> T:
    """Run a flow that opens its own transactions, on a prepared database."""
    settings = settings_with(database_url)

    async def run() -> T:
        db = Database(settings.resolved_database_url())
        try:
            await prepare_database(db)
            return await work(Deps(db, SystemClock(), settings))
        finally:
            await db.dispose()

    return asyncio.run(run())


def now() -> dt.datetime:
    return SystemClock().now()


DatabaseOption = typer.Option(None, "--database-url", help="Overrides SIMGATE_DATABASE_URL.")


class Listing(Table):
    """A table whose text cells are shown as they are: names, SMS and errors come from
    buyers and agents, and Rich would read `[…]` in them as markup (or fail on it)."""

    def add_row(self, *renderables: RenderableType | None, **kwargs: Any) -> None:
        cells = [Text(cell) if isinstance(cell, str) else cell for cell in renderables]
        super().add_row(*cells, **kwargs)


def table(title: str, *columns: str) -> Listing:
    """A listing that folds long values onto more lines instead of cutting them, so it stays
    whole at 80 columns."""
    listing = Listing(title=Text(title))
    for column in columns:
        listing.add_column(column, overflow="fold")
    return listing


def money(minor: int, settings: Settings) -> str:
    """Minor units shown with the hub currency's decimals (1250 -> 12.50)."""
    return format_fixed(minor, settings.currency_exponent)


def moment(value: dt.datetime | None) -> str:
    return value.isoformat(" ", "seconds") if value is not None else "-"


@contextmanager
def progress(description: str, console: Console | None = None) -> Iterator[Progress]:
    """Reports (done, total) as a Rich bar on stderr, only when stderr is a terminal: piped
    output and scripts see nothing of it."""
    where = console or err_console
    if not where.is_terminal:
        yield lambda done, total: None
        return
    with RichProgress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=where,
        transient=True,
    ) as bar:
        task = bar.add_task(description, total=None)

        def report(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield report

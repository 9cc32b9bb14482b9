"""Helpers shared by the command groups: settings, one transaction per command, output."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer
from rich.console import Console
from sqlalchemy.ext.asyncio import AsyncSession

from simgate.core.clock import SystemClock
from simgate.core.db import Database
from simgate.core.deps import Deps
from simgate.core.money import parse_amount
from simgate.core.settings import Settings, get_settings
from simgate.hub.bootstrap import prepare_database

T = TypeVar("T")
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

"""What the console's price table shows: a page of prices per country and service, and the
countries and services to filter them by; the stop-list."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from simgate.catalog import repository as catalog_repo
from simgate.catalog import service as catalog
from simgate.core.db import Database
from simgate.delivery import admin as delivery_admin
from simgate.models import Country, Price, Service
from simgate.models.delivery import StopListEntry


@dataclass(frozen=True)
class PriceTable:
    rows: list[tuple[Price, Country, Service]]  # catalog order
    countries: list[Country]  # every country and service, for the filters
    services: list[Service]
    next_offset: int | None  # where the next page starts; None: this is the last


async def price_table(
    db: Database, country: str | None, service: str | None, offset: int, page_size: int
) -> PriceTable:
    """A page of prices, of one country and one service when asked (UnknownCountry /
    UnknownService for a name the catalog lacks)."""
    async with db.read() as session:
        rows = await catalog.prices(
            session, country=country, service=service, offset=offset, limit=page_size + 1
        )
        countries = await catalog_repo.countries(session)
        services = await catalog_repo.services(session)
    more = len(rows) > page_size
    return PriceTable(rows[:page_size], countries, services, offset + page_size if more else None)


async def stop_list(db: Database) -> Sequence[StopListEntry]:
    """Every stop-listed number, by number."""
    async with db.read() as session:
        return await delivery_admin.stop_list(session)

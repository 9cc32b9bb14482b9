"""The catalog read model every buyer dialect lists from: what a country offers, at what
price, with how many free numbers; and the price of a service, "other" standing in for one
the catalog does not know.

Each function is a whole read (it opens its own read scope), so a dialect states what it
wants to show and never holds a session. What they return is kept in memory per process and
dropped on every commit, in any process, that changes what it shows (core.changes), so
listings cost no query while nothing changes. Prices and services (topic `catalog`) are kept
apart from the free numbers (topic `stock`), which every rental changes: after a rental a
listing with counts re-reads only the stock, one query, and joins it to the catalogue it
still holds; a listing without counts is not dropped at all. Callers share what is
returned: read it, never change it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from simgate.catalog import aliases
from simgate.catalog import repository as repo
from simgate.catalog.aliases import Dialect
from simgate.catalog.service import UnknownCountry, UnknownOperator
from simgate.core.changes import CATALOG, STOCK
from simgate.core.db import Database
from simgate.core.memo import Topics
from simgate.models import Country, Operator, Price, Service, SupplierStock
from simgate.suppliers import repository as suppliers

P = ParamSpec("P")
R = TypeVar("R")

LISTINGS = "catalog.listings"


Read = Callable[Concatenate[Database, P], Coroutine[Any, Any, R]]


def _remembered_under(topics: Topics) -> Callable[[Read[P, R]], Read[P, R]]:
    """A read answered from memory until a commit changes one of `topics`."""

    def wrap(read: Read[P, R]) -> Read[P, R]:
        @functools.wraps(read)
        async def remembered(db: Database, /, *args: P.args, **kwargs: P.kwargs) -> R:
            key = (read.__name__, args, tuple(sorted(kwargs.items())))
            return await db.memo(LISTINGS).get(topics, key, lambda: read(db, *args, **kwargs))

        return remembered

    return wrap


_remembered = _remembered_under(CATALOG)  # prices, services, countries, operators
_remembered_stock = _remembered_under(STOCK)  # free numbers of enabled suppliers
_remembered_offers = _remembered_under((CATALOG, STOCK))  # prices joined to free numbers


@dataclass(frozen=True)
class Offer:
    """One service in one country: its price (None: not sold there) and free numbers."""

    service: Service
    price: Price | None
    count: int
    # Free numbers per supplier id (filled by `offers_in`), for dialects that show offers
    # provider by provider.
    by_supplier: Mapping[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class CountryOffers:
    country: Country
    offers: list[Offer]  # every service, in catalog order


@_remembered_offers
async def country_offers(db: Database, country_code: int) -> CountryOffers:
    """What `country_code` offers; UnknownCountry when it is not an enabled country."""
    country, priced = await _priced_services(db, country_code)
    return _offers(country, priced, await _stock_totals(db))


@_remembered_offers
async def all_offers(db: Database) -> list[CountryOffers]:
    """Every enabled country's offers, in catalog order."""
    stock = await _stock_totals(db)
    return [
        _offers(*await _priced_services(db, country.code), stock)
        for country in await _enabled_countries(db)
    ]


PricedServices = tuple[Country, list[tuple[Service, Price | None]]]


@_remembered
async def _priced_services(db: Database, country_code: int) -> PricedServices:
    """An enabled country and every service with its price there (None: not sold)."""
    async with db.read() as session:
        country = await _country(session, country_code)
        prices = {p.service_id: p for p in await repo.prices_for_country(session, country.code)}
        return country, [(s, prices.get(s.id)) for s in await repo.services(session)]


@_remembered
async def _enabled_countries(db: Database) -> list[Country]:
    async with db.read() as session:
        return await repo.countries(session)


@_remembered_stock
async def _stock_totals(db: Database) -> dict[tuple[str, str], int]:
    async with db.read() as session:
        return await suppliers.stock_totals(session)


@_remembered
async def price_of(db: Database, country_code: int, service_name: str) -> Price | None:
    """The price of `service_name` in a country; a name the catalog does not know is priced
    as the "other" service, which takes any sender."""
    async with db.read() as session:
        country = await _country(session, country_code)
        service = await repo.service_by_name(session, service_name) or await repo.other_service(
            session
        )
        return await repo.price(session, country.code, service.id)


@dataclass(frozen=True)
class RentalTerms:
    """What the catalog says of renting `name` in a country, as `rental_terms` found it."""

    service: Service
    # The name itself when no service has it and the "other" service stands in, taking the
    # SMS of that sender only.
    sender_filter: str | None
    country: Country | None  # None: no enabled country has the code
    operator_listed: bool  # False: the country does not list the operator asked for
    price: Price | None  # None: the service is not sold in the country


@_remembered
async def rental_terms(db: Database, name: str, country_code: int, operator: str) -> RentalTerms:
    """The service (or "other", for a sender name), country, operator and price of a getNum,
    from memory: a rental reads none of them from the database while the catalog stands."""
    async with db.read() as session:
        service = await repo.service_by_name(session, name)
        sender_filter = None
        if service is None:
            service, sender_filter = await repo.other_service(session), name
        country = await repo.country_by_code(session, country_code)
        if country is None:
            return RentalTerms(service, sender_filter, None, False, None)
        listed = operator == "any" or await repo.operator_exists(session, country.slug, operator)
        price = await repo.price(session, country.code, service.id)
        return RentalTerms(service, sender_filter, country, listed, price)


@_remembered
async def service_named(db: Database, name: str) -> Service | None:
    """A service by its slug or any alias, case-insensitive."""
    async with db.read() as session:
        return await repo.service_by_name(session, name)


@_remembered
async def country_ids(db: Database, dialect: Dialect) -> dict[int, tuple[int, Country]]:
    """Every enabled country `dialect` offers, by the hub's country code: (the id the
    dialect prints, the country)."""
    async with db.read() as session:
        found = await repo.countries(session)
    ids = ((aliases.country_code(dialect, c), c) for c in found)
    return {country.code: (shown, country) for shown, country in ids if shown is not None}


@_remembered
async def operator_by_mccmnc(db: Database, mccmnc: str) -> Operator | None:
    async with db.read() as session:
        return await repo.operator_by_mccmnc(session, mccmnc)


async def _country(session: AsyncSession, code: int) -> Country:
    country = await repo.country_by_code(session, code)
    if country is None:
        raise UnknownCountry(f"no country with code {code}")
    return country


def _offers(
    country: Country,
    priced: list[tuple[Service, Price | None]],
    stock: dict[tuple[str, str], int],
) -> CountryOffers:
    return CountryOffers(
        country,
        [Offer(s, price, stock.get((country.slug, s.agent_code), 0)) for s, price in priced],
    )


@_remembered
async def country_in(db: Database, dialect: Dialect, code: int) -> Country:
    """The enabled country `dialect` calls `code`; UnknownCountry otherwise."""
    async with db.read() as session:
        return await _country_in(session, dialect, code)


async def _country_in(session: AsyncSession, dialect: Dialect, code: int) -> Country:
    if dialect is Dialect.ONLINESIM:
        return await _country(session, code)
    slug = aliases.country_slug(dialect, code)
    country = await repo.country_by_slug(session, slug) if slug is not None else None
    if country is None or not country.enabled:
        raise UnknownCountry(f"no {dialect} country {code}")
    return country


async def _countries_in(session: AsyncSession, dialect: Dialect, code: int | None) -> list[Country]:
    """The one country `dialect` calls `code`, or (None) every enabled country it names."""
    if code is not None:
        return [await _country_in(session, dialect, code)]
    return [
        c for c in await repo.countries(session) if aliases.country_code(dialect, c) is not None
    ]


@_remembered
async def countries_in(db: Database, dialect: Dialect) -> list[Country]:
    """Every enabled country `dialect` has a number for, in catalog order."""
    async with db.read() as session:
        return await _countries_in(session, dialect, None)


@_remembered_offers
async def offers_in(
    db: Database, dialect: Dialect, country: int | None = None, operator: str | None = None
) -> list[CountryOffers]:
    """The offers of the country `dialect` calls `country`, or of every country it names.

    With an `operator`, only the numbers a rental for that operator could get are counted: the
    operator's own and those of agents that cannot tell operators apart (`any`), the same
    suppliers a rental picks from. UnknownOperator when a country does not list it.
    """
    countries, services, prices = await _offered(db, dialect, country, operator)
    stock = _stock_per_supplier(await _stock_lines(db), operator)
    return [
        CountryOffers(
            c,
            [
                _offer(s, prices.get((c.code, s.id)), stock.get((c.slug, s.agent_code), {}))
                for s in services
            ],
        )
        for c in countries
    ]


@_remembered
async def _offered(
    db: Database, dialect: Dialect, country: int | None, operator: str | None
) -> tuple[list[Country], list[Service], dict[tuple[int, int], Price]]:
    """The countries, services and prices `offers_in` lists (UnknownOperator as it says)."""
    async with db.read() as session:
        countries = await _countries_in(session, dialect, country)
        if operator is not None and operator != "any":
            for listed in countries:
                if not await repo.operator_exists(session, listed.slug, operator):
                    raise UnknownOperator(f"{listed.slug} has no operator {operator!r}")
        services = await repo.services(session)
        prices = {(p.country_code, p.service_id): p for p in await repo.all_prices(session)}
    return countries, services, prices


@_remembered_stock
async def _stock_lines(db: Database) -> list[SupplierStock]:
    async with db.read() as session:
        return await repo.stock_lines(session)


def _offer(service: Service, price: Price | None, by_supplier: dict[int, int]) -> Offer:
    return Offer(service, price, sum(by_supplier.values()), by_supplier)


def _stock_per_supplier(
    lines: Sequence[SupplierStock], operator: str | None
) -> dict[tuple[str, str], dict[int, int]]:
    """(country slug, service code) -> supplier id -> free numbers, for `operator` (None or
    `any`: every operator)."""
    wanted = None if operator in (None, "any") else {operator, "any"}
    out: dict[tuple[str, str], dict[int, int]] = {}
    for line in lines:
        if wanted is not None and line.operator_slug not in wanted:
            continue
        per_supplier = out.setdefault((line.country_slug, line.service_code), {})
        per_supplier[line.supplier_id] = per_supplier.get(line.supplier_id, 0) + line.count
    return out


@_remembered
async def operators_in(
    db: Database, dialect: Dialect, country: int | None = None
) -> list[tuple[Country, list[str]]]:
    """The operator slugs of the country `dialect` calls `country` (or of every country it
    names); operators listed for no country in particular (`any`) belong to every one."""
    async with db.read() as session:
        countries = await _countries_in(session, dialect, country)
        every = await repo.operators(session)
    out = []
    for listed in countries:
        slugs = [o.slug for o in every if o.country_slug in (None, listed.slug)]
        out.append((listed, list(dict.fromkeys(slugs))))
    return out


@_remembered
async def service_in(db: Database, dialect: Dialect, name: str) -> Service | None:
    """The service `dialect` calls `name` (onlinesim: slug or alias; sms-activate: its code)."""
    async with db.read() as session:
        if dialect is Dialect.ONLINESIM:
            return await repo.service_by_name(session, name)
        return await repo.service_by_agent_code(session, name.strip().lower())

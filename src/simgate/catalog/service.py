"""Catalog use cases: seeding, lookups, price changes."""

from __future__ import annotations

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from simgate.catalog import repository as repo
from simgate.catalog import seed_data
from simgate.core import validate
from simgate.core.errors import InvalidInput, NotFound
from simgate.models import Country, Operator, Price, Service


class UnknownCountry(NotFound):
    code = "UNKNOWN_COUNTRY"


class UnknownService(NotFound):
    code = "UNKNOWN_SERVICE"


class UnknownOperator(NotFound):
    """An operator the catalog does not list for the country asked about."""

    code = "UNKNOWN_OPERATOR"


async def seed(session: AsyncSession) -> None:
    """Insert the default catalog; rows that already exist are left as the operator set them."""
    if (await session.execute(select(Country.id).limit(1))).first() is not None:
        return
    await session.execute(
        insert(Country),
        [
            {"slug": s, "code": c, "dial_prefix": d, "name": n, "position": i, "enabled": True}
            for i, (s, c, d, n) in enumerate(seed_data.COUNTRIES)
        ],
    )
    await session.execute(
        insert(Operator),
        [
            {"country_slug": c, "slug": s, "name": n, "mccmnc": m}
            for c, s, n, m in seed_data.OPERATORS
        ],
    )
    await session.execute(
        insert(Service),
        [
            {
                "slug": slug,
                "alias": alias,
                "agent_code": code,
                "title": title,
                "senders": "\n".join(senders),
                "text_patterns": "\n".join(patterns),
                "position": i,
                "takes_all": takes_all,
            }
            for i, (slug, alias, code, title, senders, patterns, takes_all) in enumerate(
                seed_data.SERVICES
            )
        ],
    )
    ids = dict((await session.execute(select(Service.slug, Service.id))).all())
    rows = []
    for _slug, code, _dial, _name in seed_data.COUNTRIES:
        for service_slug, index_price in seed_data.DEFAULT_INDEX_PRICE.items():
            index, repeat, deferr, payout = seed_data.default_prices(index_price)
            rows.append(
                {
                    "country_code": code,
                    "service_id": ids[service_slug],
                    "index_price": index,
                    "repeat_price": repeat,
                    "deferr_price": deferr,
                    "payout": payout,
                }
            )
    await session.execute(insert(Price), rows)


async def set_price(
    session: AsyncSession,
    country_code: int,
    service_name: str,
    *,
    index: int,
    repeat: int | None = None,
    deferr: int | None = None,
    payout: int | None = None,
) -> Price:
    """Create or change the price of a service in a country."""
    validate.integer(country_code, "country code")
    for what, value in (("price", index), ("repeat", repeat), ("deferr", deferr)):
        if value is not None:
            validate.amount(value, f"{what} price")
    if payout is not None and not 0 <= payout <= index:
        raise InvalidInput("payout must be between 0 and the price")
    if await repo.country_by_code(session, country_code) is None:
        raise UnknownCountry(f"no country with code {country_code}")
    service = await repo.service_by_name(session, service_name)
    if service is None:
        raise UnknownService(f"no service {service_name!r}")
    _, d_repeat, d_deferr, d_payout = seed_data.default_prices(index)
    row = await repo.price(session, country_code, service.id)
    if row is None:
        row = Price(country_code=country_code, service_id=service.id)
        session.add(row)
    row.index_price = index
    row.repeat_price = d_repeat if repeat is None else repeat
    row.deferr_price = d_deferr if deferr is None else deferr
    row.payout = d_payout if payout is None else payout
    await session.flush()
    return row


async def prices(
    session: AsyncSession,
    *,
    country: str | None = None,
    service: str | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> list[tuple[Price, Country, Service]]:
    """Prices, optionally of one country (its code, e.g. 7, or slug) and one service (slug,
    alias or agent code), `limit` of them from `offset` on (None: all); UnknownCountry /
    UnknownService for a name the catalog lacks."""
    country_code = None
    if country is not None:
        found = (
            await repo.country_by_code(session, validate.integer(int(country), "country code"))
            if country.strip().isascii() and country.strip().isdigit()
            else await repo.country_by_slug(session, country.strip().lower())
        )
        if found is None:
            raise UnknownCountry(f"no country {validate.shown(country)}")
        country_code = found.code
    service_id = None
    if service is not None:
        row = await repo.service_by_name(session, service)
        if row is None:
            raise UnknownService(f"no service {validate.shown(service)}")
        service_id = row.id
    return await repo.price_rows(
        session, country_code=country_code, service_id=service_id, offset=offset, limit=limit
    )

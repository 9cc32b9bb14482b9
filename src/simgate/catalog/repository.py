"""Queries on the catalog."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import BindParameter, Table, and_, bindparam, case, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from simgate.models import Country, Operator, Price, Service, Supplier, SupplierStock


async def service_by_name(session: AsyncSession, name: str) -> Service | None:
    """By onlinesim slug or alias (`Odklru`, `classmates`), else by the short code clients of
    the sms-activate family send (`ok`); a slug or alias wins over another service's code."""
    folded = name.strip().lower()
    by_name = or_(func.lower(Service.slug) == folded, func.lower(Service.alias) == folded)
    stmt = (
        select(Service)
        .where(or_(by_name, func.lower(Service.agent_code) == folded))
        .order_by(case((by_name, 0), else_=1), Service.id)
    )
    return (await session.execute(stmt)).scalars().first()


class Prices(NamedTuple):
    """A service's prices in one country, in minor units."""

    index_price: int
    repeat_price: int
    deferr_price: int
    payout: int


@dataclass(frozen=True)
class RentalTerms:
    """What a rental needs from the catalog, read by `rental_terms` in one statement."""

    service_id: int
    service_slug: str
    agent_code: str
    # The name matched no service: this is the service that takes every SMS, and the name
    # is a sender to filter by.
    by_sender: bool
    country_slug: str | None  # None: no enabled country has the code
    operator_known: bool
    prices: Prices | None  # None: the service is not sold in the country


def _terms_statement() -> Any:
    services, countries = _table(Service), _table(Country)
    operators, prices = _table(Operator), _table(Price)
    folded: BindParameter[str] = bindparam("folded")
    # The order of `service_by_name`, then `other_service` after every match.
    by_name = or_(func.lower(services.c.slug) == folded, func.lower(services.c.alias) == folded)
    by_code = func.lower(services.c.agent_code) == folded
    rank = case((by_name, 0), (by_code, 1), else_=2)
    operator_known = exists().where(
        operators.c.slug == bindparam("operator"),
        or_(operators.c.country_slug == countries.c.slug, operators.c.country_slug.is_(None)),
    )
    joined = services.outerjoin(
        countries, and_(countries.c.code == bindparam("code"), countries.c.enabled.is_(True))
    ).outerjoin(
        prices,
        and_(prices.c.country_code == countries.c.code, prices.c.service_id == services.c.id),
    )
    return (
        select(
            services.c.id,
            services.c.slug,
            services.c.agent_code,
            rank.label("rank"),
            countries.c.slug.label("country_slug"),
            operator_known.label("operator_known"),
            prices.c.id.label("price_id"),
            prices.c.index_price,
            prices.c.repeat_price,
            prices.c.deferr_price,
            prices.c.payout,
        )
        .select_from(joined)
        .where(or_(by_name, by_code, services.c.takes_all.is_(True)))
        .order_by(rank, services.c.id)
        .limit(1)
    )


def _table(model: type[Any]) -> Table:
    table: Table = model.__table__
    return table


# Built once: only its parameters change from one rental to the next.
_TERMS = _terms_statement()


async def rental_terms(
    session: AsyncSession, name: str, country_code: int, operator: str
) -> RentalTerms:
    """The service a rental names (as `service_by_name`, else `other_service`), whether the
    country is enabled and has `operator`, and the service's prices there: one SELECT."""
    params = {"folded": name.strip().lower(), "code": country_code, "operator": operator}
    row = (await session.execute(_TERMS, params)).first()
    if row is None:
        raise LookupError("catalog has no other service; run `simgate db upgrade`")
    prices = None
    if row.price_id is not None:
        prices = Prices(row.index_price, row.repeat_price, row.deferr_price, row.payout)
    return RentalTerms(
        service_id=row.id,
        service_slug=row.slug,
        agent_code=row.agent_code,
        by_sender=row.rank == 2,
        country_slug=row.country_slug,
        operator_known=row.country_slug is not None and bool(row.operator_known),
        prices=prices,
    )


async def service_by_agent_code(session: AsyncSession, code: str) -> Service | None:
    stmt = select(Service).where(Service.agent_code == code)
    return (await session.execute(stmt)).scalar_one_or_none()


async def other_service(session: AsyncSession) -> Service:
    stmt = select(Service).where(Service.takes_all.is_(True)).order_by(Service.id)
    return (await session.execute(stmt)).scalars().first() or _missing("other service")


async def services(session: AsyncSession) -> list[Service]:
    return list((await session.execute(select(Service).order_by(Service.position))).scalars())


async def country_by_code(session: AsyncSession, code: int) -> Country | None:
    stmt = select(Country).where(Country.code == code, Country.enabled.is_(True))
    return (await session.execute(stmt)).scalar_one_or_none()


async def country_by_slug(session: AsyncSession, slug: str) -> Country | None:
    return (await session.execute(select(Country).where(Country.slug == slug))).scalar_one_or_none()


async def countries(session: AsyncSession) -> list[Country]:
    stmt = select(Country).where(Country.enabled.is_(True)).order_by(Country.position)
    return list((await session.execute(stmt)).scalars())


async def operator_by_mccmnc(session: AsyncSession, mccmnc: str) -> Operator | None:
    stmt = select(Operator).where(Operator.mccmnc == mccmnc)
    return (await session.execute(stmt)).scalar_one_or_none()


async def operator_exists(session: AsyncSession, country_slug: str, slug: str) -> bool:
    stmt = select(Operator.id).where(
        Operator.slug == slug,
        or_(Operator.country_slug == country_slug, Operator.country_slug.is_(None)),
    )
    return (await session.execute(stmt)).first() is not None


async def price(session: AsyncSession, country_code: int, service_id: int) -> Price | None:
    stmt = select(Price).where(Price.country_code == country_code, Price.service_id == service_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def prices_for_country(session: AsyncSession, country_code: int) -> list[Price]:
    stmt = select(Price).where(Price.country_code == country_code)
    return list((await session.execute(stmt)).scalars())


async def operators(session: AsyncSession) -> list[Operator]:
    """Every operator; one whose country is None serves every country."""
    return list((await session.execute(select(Operator).order_by(Operator.id))).scalars())


async def all_prices(session: AsyncSession) -> list[Price]:
    return list((await session.execute(select(Price))).scalars())


async def stock_lines(session: AsyncSession) -> list[SupplierStock]:
    """What each enabled supplier reported last, per country, operator and service code."""
    stmt = (
        select(SupplierStock)
        .join(Supplier, Supplier.id == SupplierStock.supplier_id)
        .where(Supplier.enabled.is_(True), SupplierStock.count > 0)
        .order_by(SupplierStock.supplier_id)
    )
    return list((await session.execute(stmt)).scalars())


def _missing(what: str) -> Service:
    raise LookupError(f"catalog has no {what}; run `simgate db upgrade`")


async def price_rows(
    session: AsyncSession,
    *,
    country_code: int | None = None,
    service_id: int | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> list[tuple[Price, Country, Service]]:
    """Prices with their country and service, in catalog order; None: every one. `offset` and
    `limit` cut a page of that order (the price id breaks ties, so pages never overlap)."""
    stmt = (
        select(Price, Country, Service)
        .join(Country, Country.code == Price.country_code)
        .join(Service, Service.id == Price.service_id)
        .order_by(Country.position, Service.position, Price.id)
        .offset(offset)
        .limit(limit)
    )
    if country_code is not None:
        stmt = stmt.where(Price.country_code == country_code)
    if service_id is not None:
        stmt = stmt.where(Price.service_id == service_id)
    return [(p, c, s) for p, c, s in await session.execute(stmt)]

"""Queries on the catalog."""

from __future__ import annotations

from sqlalchemy import case, func, or_, select
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

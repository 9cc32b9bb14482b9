"""Catalog and repeat listings: getServiceList, getNumbersStats, getPrice, getService,
getServiceNumber."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from simgate.activations import repeat
from simgate.catalog import repository as catalog
from simgate.core.integers import INT32
from simgate.core.money import format_amount
from simgate.dialects.common.params import BadParam
from simgate.dialects.common.registry import Call, Reply
from simgate.dialects.onlinesim.render import ok
from simgate.models import Country
from simgate.suppliers import repository as suppliers


def _price(minor: int, call: Call) -> str:
    return format_amount(minor, call.ctx.settings.currency_exponent)


async def _country(call: Call, session: Any) -> Country:
    try:
        code = call.params.integer("country", 7, INT32) or 7
    except BadParam:
        raise Reply("NO_COUNTRY") from None
    country = await catalog.country_by_code(session, code)
    if country is None:
        raise Reply("NO_COUNTRY")
    return country


async def get_service_list(call: Call) -> Any:
    async with call.ctx.db.read() as session:
        country = await _country(call, session)
        prices = {p.service_id: p for p in await catalog.prices_for_country(session, country.code)}
        stock = await suppliers.stock_totals(session)
        services = await catalog.services(session)
    counts = {s.id: stock.get((country.slug, s.agent_code), 0) for s in services}
    most = max(counts.values(), default=0) or 1
    return [
        {
            "id": str(s.id),
            "slug": s.slug,
            "title": s.title,
            "index": _price(prices[s.id].index_price, call),
            "repeat": _price(prices[s.id].repeat_price, call),
            "deferr": _price(prices[s.id].deferr_price, call),
            # Share of free numbers, relative to the service with the most stock.
            "limit": str(counts[s.id] * 100 // most),
        }
        for s in services
        if s.id in prices
    ]


async def _country_stats(call: Call, session: Any, country: Country, stock: Any) -> dict[str, Any]:
    prices = {p.service_id: p for p in await catalog.prices_for_country(session, country.code)}
    services: dict[str, Any] = {}
    for service in await catalog.services(session):
        price = prices.get(service.id)
        if price is None:
            continue
        count = stock.get((country.slug, service.agent_code), 0)
        services[f"service_{service.slug}"] = {
            "id": service.id,
            "count": count,
            "popular": service.position < 6,
            "code": country.code,
            "price": Decimal(_price(price.index_price, call)),
            "service": service.title,
            "slug": service.slug,
        }
    return {
        "name": country.name,
        "position": country.position,
        "code": country.code,
        "other": False,
        "new": False,
        "enabled": country.enabled,
        "services": services,
    }


async def get_numbers_stats(call: Call) -> Any:
    wanted = (call.params.text("country") or "7").lower()
    async with call.ctx.db.read() as session:
        stock = await suppliers.stock_totals(session)
        if wanted == "all":
            return {
                str(c.code): await _country_stats(call, session, c, stock)
                for c in await catalog.countries(session)
            }
        country = await _country(call, session)
        return await _country_stats(call, session, country, stock)


async def get_price(call: Call) -> Any:
    name = call.params.text("service")
    if not name:
        raise Reply("ERROR_NO_SERVICE")
    async with call.ctx.db.read() as session:
        country = await _country(call, session)
        service = await catalog.service_by_name(session, name) or await catalog.other_service(
            session
        )
        price = await catalog.price(session, country.code, service.id)
    if price is None:
        raise Reply("NO_NUMBER")
    return ok(price=Decimal(_price(price.index_price, call)))


async def get_service(call: Call) -> Any:
    ctx = call.ctx
    async with ctx.db.read() as session:
        services = await repeat.repeat_services(
            session, call.account.id, ctx.clock.now(), ctx.settings.repeat_window_days
        )
    return ok(service=[s.slug for s in services])


async def get_service_number(call: Call) -> Any:
    name = call.params.text("service")
    if not name:
        raise Reply("ERROR_NO_SERVICE")
    ctx = call.ctx
    async with ctx.db.read() as session:
        service = await catalog.service_by_name(session, name)
        if service is None:
            raise Reply("SERVICE_TO_NUMBER_EMPTY")
        numbers = await repeat.repeat_numbers(
            session, call.account.id, service, ctx.clock.now(), ctx.settings.repeat_window_days
        )
    return ok(number=numbers)

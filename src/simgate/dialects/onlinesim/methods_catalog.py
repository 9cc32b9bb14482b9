"""Catalog and repeat listings: getServiceList, getNumbersStats, getPrice, getService,
getServiceNumber."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from simgate.activations import queries as rentals
from simgate.catalog import listing
from simgate.catalog.listing import CountryOffers
from simgate.core.integers import INT32
from simgate.core.money import format_amount
from simgate.dialects.common.params import BadParam
from simgate.dialects.common.registry import Call, Reply
from simgate.dialects.common.remembered import catalogue_answer
from simgate.dialects.onlinesim.render import ok


def _price(minor: int, call: Call) -> str:
    return format_amount(minor, call.ctx.settings.currency_exponent)


def _country_code(call: Call) -> int:
    try:
        return call.params.integer("country", 7, INT32) or 7
    except BadParam:
        raise Reply("NO_COUNTRY") from None


async def get_service_list(call: Call) -> Any:
    code = _country_code(call)
    return await catalogue_answer(
        call, ("onlinesim", "getServiceList", code), lambda: _service_list(call, code)
    )


async def _service_list(call: Call, code: int) -> list[dict[str, str]]:
    listed = await listing.country_offers(call.ctx.db, code)
    # Share of free numbers, relative to the service with the most stock.
    most = max((o.count for o in listed.offers), default=0) or 1
    return [
        {
            "id": str(o.service.id),
            "slug": o.service.slug,
            "title": o.service.title,
            "index": _price(o.price.index_price, call),
            "repeat": _price(o.price.repeat_price, call),
            "deferr": _price(o.price.deferr_price, call),
            "limit": str(o.count * 100 // most),
        }
        for o in listed.offers
        if o.price is not None
    ]


def _country_stats(call: Call, listed: CountryOffers) -> dict[str, Any]:
    country = listed.country
    services: dict[str, Any] = {}
    for offer in listed.offers:
        if offer.price is None:
            continue
        service = offer.service
        services[f"service_{service.slug}"] = {
            "id": service.id,
            "count": offer.count,
            "popular": service.position < 6,
            "code": country.code,
            "price": Decimal(_price(offer.price.index_price, call)),
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
    code = None if wanted == "all" else _country_code(call)
    return await catalogue_answer(
        call, ("onlinesim", "getNumbersStats", code), lambda: _numbers_stats(call, code)
    )


async def _numbers_stats(call: Call, code: int | None) -> dict[str, Any]:
    """One country's stats, or (code None) every country's by its code."""
    if code is None:
        return {
            str(listed.country.code): _country_stats(call, listed)
            for listed in await listing.all_offers(call.ctx.db)
        }
    return _country_stats(call, await listing.country_offers(call.ctx.db, code))


async def get_price(call: Call) -> Any:
    name = call.params.text("service")
    if not name:
        raise Reply("ERROR_NO_SERVICE")
    price = await listing.price_of(call.ctx.db, _country_code(call), name)
    if price is None:
        raise Reply("NO_NUMBER")
    return ok(price=Decimal(_price(price.index_price, call)))


async def get_service(call: Call) -> Any:
    ctx = call.ctx
    services = await rentals.repeat_services(
        ctx.db, call.account.id, ctx.clock.now(), ctx.settings.repeat_window_days
    )
    return ok(service=[s.slug for s in services])


async def get_service_number(call: Call) -> Any:
    name = call.params.text("service")
    if not name:
        raise Reply("ERROR_NO_SERVICE")
    ctx = call.ctx
    numbers = await rentals.repeat_numbers(
        ctx.db, call.account.id, name, ctx.clock.now(), ctx.settings.repeat_window_days
    )
    return ok(number=numbers)

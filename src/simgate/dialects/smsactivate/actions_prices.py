"""Price tables: getPrices, getPricesV2, getPricesV3, getPricesExtended and
getTopCountriesByService, all from the catalog's prices and the agents' reported stock.

Every table is keyed by sms-activate country id, then service code; a filter that matches
nothing answers `{}` (clients require a JSON object, never a list or null).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from simgate.catalog import listing
from simgate.core.money import format_fixed
from simgate.dialects.common.registry import Call
from simgate.dialects.smsactivate import catalog_params as p
from simgate.dialects.smsactivate.catalog_params import DIALECT, Priced


async def _table(call: Call, row: Callable[[Priced], Any]) -> dict[str, Any]:
    """{country id: {service code: row(service)}} for the `country` and `service` asked for."""
    wanted = await p.service(call)
    listed = await listing.offers_in(call.ctx.db, DIALECT, p.country(call))
    return {number: {s.code: row(s) for s in sold} for number, sold in p.priced(listed, wanted)}


async def get_prices(call: Call) -> Any:
    """{"0": {"vk": {"cost": 14.00, "count": 7}}}."""
    return await _table(call, lambda s: {"cost": p.cost(call, s.price), "count": s.count})


async def get_prices_extended(call: Call) -> Any:
    """getPrices plus `physicalCount`: every number an agent reports is a physical SIM."""
    return await _table(
        call,
        lambda s: {"cost": p.cost(call, s.price), "count": s.count, "physicalCount": s.count},
    )


async def get_prices_v2(call: Call) -> Any:
    """Price buckets, price string -> free numbers: simgate has one price per service and
    country, so one bucket each."""
    exponent = call.ctx.settings.currency_exponent
    return await _table(call, lambda s: {format_fixed(s.price, exponent): s.count})


async def get_prices_v3(call: Call) -> Any:
    """Offers per provider (the supplier's id), each at the service's price; a service no
    supplier has numbers for has no offers and is left out."""

    def offers(s: Priced) -> dict[str, Any]:
        return {
            str(supplier): {"price": p.cost(call, s.price), "count": n, "provider_id": supplier}
            for supplier, n in s.by_supplier.items()
        }

    table = await _table(call, offers)
    out: dict[str, Any] = {}
    for number, services in table.items():
        offered = {code: providers for code, providers in services.items() if providers}
        if offered:
            out[number] = offered
    return out


async def get_top_countries_by_service(call: Call) -> Any:
    """The countries that sell `service`, the most free numbers first, keyed by country id:
    `{"0": {"country": 0, "count": 7, "price": 14.00, "retail_price": 14.00,
    "freePriceMap": {"14.00": 7}}}`. Prices are JSON numbers: one client `int()`s them and a
    decimal string would raise there. `freePrice` changes nothing: simgate has one price."""
    wanted = await p.service(call, required=True)
    listed = await listing.offers_in(call.ctx.db, DIALECT)
    exponent = call.ctx.settings.currency_exponent
    rows: list[tuple[int, int, str, dict[str, Any]]] = []
    for position, (number, sold) in enumerate(p.priced(listed, wanted)):
        one = sold[0]
        price = p.cost(call, one.price)
        row = {
            "country": int(number),
            "count": one.count,
            "price": price,
            "retail_price": price,
            "freePriceMap": {format_fixed(one.price, exponent): one.count},
        }
        rows.append((-one.count, position, number, row))
    rows.sort(key=lambda r: (r[0], r[1]))
    return {number: row for _, _, number, row in rows}

"""The catalogue as sms-activate clients read it: getNumbersStatus, getCountries,
getServicesList and getOperators."""

from __future__ import annotations

from typing import Any

from simgate.catalog import aliases, listing, names
from simgate.dialects.common.registry import Call
from simgate.dialects.smsactivate import catalog_params as p
from simgate.dialects.smsactivate.catalog_params import DIALECT

# getNumbersStatus suffixes each service code with its forwarding flag: `_0` counts numbers
# without call forwarding, which is every number simgate rents out.
_NO_FORWARDING = "_0"


async def get_numbers_status(call: Call) -> Any:
    """Free numbers per service in one country (Russia when none is named), `{"vk_0": 7}`,
    counting only what a rental for `operator` could get."""
    listed = await listing.offers_in(call.ctx.db, DIALECT, p.country(call, 0), p.operator(call))
    return {
        f"{s.code}{_NO_FORWARDING}": s.count for _number, sold in p.priced(listed) for s in sold
    }


async def get_countries(call: Call) -> Any:
    """Every country simgate sells in, keyed by id, with its name in each language clients
    read. simgate rents no numbers long-term and sells one service per rental (`rent` and
    `multiService` 0); any activation may ask for another SMS (`retry` 1)."""
    out: dict[str, Any] = {}
    for country in await listing.countries_in(call.ctx.db, DIALECT):
        number = aliases.country_code(DIALECT, country)
        if number is None:
            continue
        out[str(number)] = {
            "id": number,
            **names.country_names(country),
            "visible": 1,
            "retry": 1,
            "rent": 0,
            "multiService": 0,
        }
    return out


async def get_services_list(call: Call) -> Any:
    """The services on sale (in one country when `country` is given), named in `lang`."""
    listed = await listing.offers_in(call.ctx.db, DIALECT, p.country(call))
    lang = call.params.text("lang")
    seen: dict[str, str] = {}
    for entry in listed:
        for offer in entry.offers:
            if offer.price is None:
                continue
            code = aliases.service_names(DIALECT, offer.service)[0]
            seen.setdefault(code, names.service_name(offer.service, lang))
    return {
        "status": "success",
        "services": [{"code": code, "name": name} for code, name in seen.items()],
    }


async def get_operators(call: Call) -> Any:
    """`{"status":"success","countryOperators":{"0":["any","mts",…]}}`, for one country or
    every one."""
    listed = await listing.operators_in(call.ctx.db, DIALECT, p.country(call))
    operators: dict[str, list[str]] = {}
    for country, slugs in listed:
        number = aliases.country_code(DIALECT, country)
        if number is not None:
            operators[str(number)] = slugs
    return {"status": "success", "countryOperators": operators}

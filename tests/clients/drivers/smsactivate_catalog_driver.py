"""Read the catalogue through one sms-activate client pointed at a hub, and print what the
client parsed.

Runs in the client environment: `python smsactivate_catalog_driver.py BASE_URL API_KEY CLIENT`
with CLIENT one of smsactivate, aiosmsactivate, herosms, pysmshub, grizzly, async_sms_activate.
Every client is asked about VK in Russia (country 0), MTS numbers there, and the countries that
sell Telegram; the last printed line is one JSON object of plain values.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Callable
from typing import Any

HANDLER = "/stubs/handler_api.php"


def smsactivate(base_url: str, key: str) -> dict[str, Any]:
    from smsactivate.api import SMSActivateAPI  # type: ignore[import-not-found]

    api = SMSActivateAPI(key)
    api._SMSActivateAPI__api_url = base_url + HANDLER  # the library keeps its URL private
    countries = api.getCountries()
    return {
        "prices": api.getPrices(service="vk", country=0)["0"]["vk"],
        "countries": {k: {"eng": v["eng"], "rus": v["rus"]} for k, v in countries.items()},
        "operators": api.getOperators(country=0)["countryOperators"]["0"],
        "top": api.getTopCountriesByService(service="tg", freePrice="true")["2"],
        "status": api.getNumbersStatus(country=0, operator="mts")["vk_0"],
    }


async def aiosmsactivate(base_url: str, key: str) -> dict[str, Any]:
    from aiosmsactivate.client import SmsActivate  # type: ignore[import-not-found]

    client = SmsActivate(key, base_url=base_url + HANDLER)
    countries = await client.get_countries()
    services = await client.get_service_list(lang="en")
    # get_service reads getServicesList, getPricesExtended and getTopCountriesByService.
    telegram = await client.get_service("tg", 2, lang="en")
    return {
        "prices": (await client.get_prices("vk", 0))["0"]["vk"],
        "extended": (await client.get_rank_prices("vk", "0"))["0"]["vk"],
        "countries": {k: {"eng": v["eng"], "rus": v["rus"]} for k, v in countries.items()},
        "services": [s["code"] for s in services["services"]],
        "vk_name": await client.get_service_name("vk", "en"),
        "operators": (await client.get_operators("0"))["countryOperators"]["0"],
        "top": (await client.get_available_countries("tg", freePrice=True))["2"],
        "service": telegram.model_dump(),
        "status": (await client.get_count_numbers("0", "mts"))["vk_0"],
    }


async def herosms(base_url: str, key: str) -> dict[str, Any]:
    from herosms import HeroSMSClient  # type: ignore[import-not-found]

    async with HeroSMSClient(key, base_url=base_url + HANDLER, retry_attempts=1) as client:
        prices = await client.get_prices(service="vk", country=0)
        countries = await client.get_countries()
        # Its model mode reads the reply's values as services, so the `status` key every other
        # client needs breaks it; its json mode is what a user falls back to.
        services = await client.get_services(response_format="json")
        operators = await client.get_operators(country=0)
        top = await client.get_top_countries(service="tg", free_price=True)
        ranked = await client.get_top_countries(service="tg", by_rank=True)
    return {
        "prices": prices["0"]["vk"].model_dump(),
        "countries": {str(c.id): {"eng": c.eng, "rus": c.rus} for c in countries},
        "services": [s["code"] for s in services["services"]],
        "operators": operators["0"],
        "top": top["2"],
        "top_rank": ranked["2"],
    }


def pysmshub(base_url: str, key: str) -> dict[str, Any]:
    from pysmshub.synchronous import SyncSmsHubApi  # type: ignore[import-not-found]

    api = SyncSmsHubApi(key)
    api.base_url = base_url + HANDLER
    return {
        "prices": api.get_prices(service="vk", country="0")["0"]["vk"],
        "status": api.get_numbers_status(country="0", operator="mts")["vk_0"],
    }


def grizzly(base_url: str, key: str) -> dict[str, Any]:
    from grizzly_sms import GrizzlySms  # type: ignore[import-not-found]

    client = GrizzlySms(key, base_url=base_url)  # it appends the handler path itself
    quotes = client.find_prices(service="vk", country=0)
    return {
        "prices": client.get_prices(service="vk", country=0)["0"]["vk"],
        "quotes": [{"country": q.country, "cost": q.cost, "count": q.count} for q in quotes],
        "v2": client.get_prices_v2(service="vk", country=0),
        "v3": client.get_prices_v3(service="vk", country=0),
        "services": [s.code for s in client.get_services()],
        "countries": {str(c.id): {"eng": c.eng, "rus": c.rus} for c in client.get_countries()},
    }


async def async_sms_activate(base_url: str, key: str) -> dict[str, Any]:
    from async_sms_activate.client import SmsActivateClient  # type: ignore[import-not-found]

    client = SmsActivateClient(key)
    client.api_url = base_url + HANDLER
    try:
        countries = await client.get_countries_list()
        top = await client.top_countries_by_service("tg")
        codes = await client.get_country_codes_by_service("tg")
    finally:
        await client.close()
    return {
        "countries": {str(c.id): {"eng": c.english_name} for c in countries},
        "top": [{"country": t.country_id, "count": t.numbers_count, "price": t.price} for t in top],
        "codes": codes,
    }


CLIENTS: dict[str, Callable[[str, str], Any]] = {
    "smsactivate": smsactivate,
    "aiosmsactivate": aiosmsactivate,
    "herosms": herosms,
    "pysmshub": pysmshub,
    "grizzly": grizzly,
    "async_sms_activate": async_sms_activate,
}


def main() -> None:
    base_url, key, name = sys.argv[1:4]
    read = CLIENTS[name](base_url, key)
    result: dict[str, Any] = asyncio.run(read) if asyncio.iscoroutine(read) else read
    print(json.dumps({"client": name, **result}, ensure_ascii=False))


if __name__ == "__main__":
    main()

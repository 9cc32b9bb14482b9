"""The catalogue through the public sms-activate clients, unchanged: each one parses every
catalogue reply it asks for without error, and what it parsed is the hub's catalog."""

from __future__ import annotations

from typing import Any

import pytest

from tests.clients.conftest import clients_python, run_driver  # noqa: F401
from tests.hub.conftest import Hub
from tests.smsactivate.test_catalog import stock  # noqa: F401

DRIVER = "smsactivate_catalog_driver"


async def run(hub: Hub, python: Any, key: str, client: str) -> dict[str, Any]:
    result = await run_driver(python, DRIVER, hub.url, key, client)
    assert result["client"] == client
    return result


# What each driver reads through its client (spec §6: the catalogue actions each one has).
FIELDS = {
    "smsactivate": {"prices", "countries", "operators", "top", "status"},
    "aiosmsactivate": {
        "prices",
        "extended",
        "countries",
        "services",
        "vk_name",
        "operators",
        "top",
        "service",
        "status",
    },
    "herosms": {"prices", "countries", "services", "operators", "top", "top_rank"},
    "pysmshub": {"prices", "status"},
    "grizzly": {"prices", "quotes", "v2", "v3", "services", "countries"},
    "async_sms_activate": {"countries", "top", "codes"},
}


async def hub_catalog(hub: Hub, key: str, client: str) -> dict[str, Any]:
    """The same questions put to the hub directly, in the form each client keeps them."""

    async def ask(action: str, **params: str) -> Any:
        reply = await hub.client.get(
            f"{hub.url}/stubs/handler_api.php", params={"api_key": key, "action": action, **params}
        )
        return reply.json()

    countries = await ask("getCountries")
    top = await ask("getTopCountriesByService", service="tg")
    prices = (await ask("getPrices", country="0", service="vk"))["0"]["vk"]
    names = {
        k: {"eng": v["eng"]}
        if client == "async_sms_activate"
        else {"eng": v["eng"], "rus": v["rus"]}
        for k, v in countries.items()
    }
    services = [s["code"] for s in (await ask("getServicesList"))["services"]]
    telegram = top["2"]
    return {
        "prices": prices,
        "extended": (await ask("getPricesExtended", country="0", service="vk"))["0"]["vk"],
        "countries": names,
        "services": services,
        "vk_name": "VKontakte",
        "operators": (await ask("getOperators", country="0"))["countryOperators"]["0"],
        "top": telegram
        if client != "async_sms_activate"
        else [
            {"country": str(row["country"]), "count": row["count"], "price": int(row["price"])}
            for row in top.values()
        ],
        "top_rank": (await ask("getTopCountriesByServiceRank", service="tg"))["2"],
        "service": {
            "code": "tg",
            "name": "Telegram",
            "country": "2",
            "price": telegram["price"],
            "retail_price": telegram["retail_price"],
            "free_price_map": telegram["freePriceMap"],
            "count": telegram["count"],
            "physical_count": telegram["count"],
        },
        "status": (await ask("getNumbersStatus", country="0", operator="mts"))["vk_0"],
        "quotes": [{"country": "0", "cost": prices["cost"], "count": prices["count"]}],
        "v2": await ask("getPricesV2", country="0", service="vk"),
        "v3": await ask("getPricesV3", country="0", service="vk"),
        "codes": [int(k) for k, row in top.items() if row["count"] > 0],
    }


@pytest.mark.usefixtures("stock")
@pytest.mark.parametrize("client", sorted(FIELDS))
async def test_each_client_parses_the_catalogue_the_hub_lists(
    hub,
    make_buyer,
    clients_python,  # noqa: F811
    client,
):
    key = await make_buyer()
    parsed = await run(hub, clients_python, key, client)
    expected = await hub_catalog(hub, key, client)
    assert set(parsed) - {"client"} == FIELDS[client]
    for field in FIELDS[client]:
        assert parsed[field] == expected[field], field
    # The numbers themselves, so a hub that listed nothing cannot agree with itself.
    if "prices" in parsed:
        assert parsed["prices"] == {"cost": 14.0, "count": 7}
    if "countries" in parsed:
        assert parsed["countries"]["0"]["eng"] == "Russia"
        assert parsed["countries"]["0"].get("rus", "Россия") == "Россия"
    if "top" in parsed and isinstance(parsed["top"], dict):
        assert (parsed["top"]["count"], parsed["top"]["price"]) == (2, 25.0)

"""The sms-activate catalogue actions over real HTTP: each reply's shape, the same numbers
onlinesim shows for the same country, and the refusal words."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy import delete, update

from simgate.catalog import aliases, seed_data
from simgate.models import Country, Price
from simgate.suppliers import service as suppliers
from simgate.suppliers.client import StockLine
from tests.hub.conftest import Hub

VK_PRICE = seed_data.DEFAULT_INDEX_PRICE["VKcom"]  # 1400 kopecks: 14.00


async def handler(hub: Hub, **params: str) -> httpx.Response:
    async with httpx.AsyncClient(trust_env=False) as client:
        return await client.get(f"{hub.url}/stubs/handler_api.php", params=params)


async def json_reply(hub: Hub, key: str, action: str, **params: str) -> Any:
    reply = await handler(hub, api_key=key, action=action, **params)
    assert reply.status_code == 200
    assert reply.headers["content-type"] == "application/json", reply.text
    # Decimals as JSON numbers, never floats: parse them the way a money-minded client would.
    return json.loads(reply.content, parse_float=Decimal)


async def word(hub: Hub, key: str, action: str, **params: str) -> str:
    reply = await handler(hub, api_key=key, action=action, **params)
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("text/plain"), reply.text
    return reply.text


@pytest.fixture
async def stock(hub: Hub) -> tuple[int, int]:
    """Two agents with Russian VK numbers: 3 from one that cannot tell operators apart, 4 MTS
    numbers from another; 2 Telegram numbers in Kazakhstan. Returns the two supplier ids."""
    now = hub.clock.now()
    async with hub.ctx.db.transaction() as session:
        one = await suppliers.add(session, "one", "http://127.0.0.1:1/", "k" * 32, now)
        two = await suppliers.add(session, "two", "http://127.0.0.1:2/", "j" * 32, now)
        await suppliers.store_stock(session, one, [StockLine("russia", "any", "vk", 3)], now)
        await suppliers.store_stock(
            session,
            two,
            [StockLine("russia", "mts", "vk", 4), StockLine("kazakhstan", "any", "tg", 2)],
            now,
        )
        return one.id, two.id


async def test_get_prices_is_keyed_by_country_id_then_service_code(hub, make_buyer, stock):
    key = await make_buyer()
    reply = await handler(hub, api_key=key, action="getPrices", country="0", service="vk")
    # The currency's two decimals, written as a JSON number.
    assert reply.content == b'{"0":{"vk":{"cost":14.00,"count":7}}}'
    every = await json_reply(hub, key, "getPrices")
    assert every["0"]["vk"] == {"cost": Decimal("14.00"), "count": 7}
    assert every["2"]["tg"]["count"] == 2
    assert every["187"]["vk"]["count"] == 0  # priced, nobody has numbers
    ids = aliases.SMS_ACTIVATE_COUNTRY_IDS
    assert set(every) == {str(ids[slug]) for slug, *_rest in seed_data.COUNTRIES}
    only_tg = await json_reply(hub, key, "getPrices", service="tg")
    assert all(set(services) == {"tg"} for services in only_tg.values())


async def test_prices_and_counts_agree_with_onlinesim(hub, make_buyer, stock):
    key = await make_buyer()
    prices = await json_reply(hub, key, "getPrices", country="0")
    status = await json_reply(hub, key, "getNumbersStatus", country="0")
    stats = await hub.api("getNumbersStats", key, country=7)
    listed = await hub.api("getServiceList", key, country=7)
    by_code = {s["slug"]: s for s in stats["services"].values()}
    assert len(prices["0"]) == len(by_code) == len(listed) == len(status)
    for service_slug, _alias, code, *_rest in seed_data.SERVICES:
        onlinesim = by_code[service_slug]
        assert prices["0"][code]["count"] == onlinesim["count"] == status[f"{code}_0"]
        assert prices["0"][code]["cost"] == Decimal(str(onlinesim["price"]))
    assert status["vk_0"] == 7


async def test_numbers_status_counts_what_a_rental_for_the_operator_could_get(
    hub, make_buyer, stock
):
    key = await make_buyer()
    assert (await json_reply(hub, key, "getNumbersStatus"))["vk_0"] == 7  # Russia by default
    mts = await json_reply(hub, key, "getNumbersStatus", country="0", operator="mts")
    megafon = await json_reply(hub, key, "getNumbersStatus", country="0", operator="megafon")
    anyone = await json_reply(hub, key, "getNumbersStatus", country="0", operator="any")
    assert (mts["vk_0"], megafon["vk_0"], anyone["vk_0"]) == (7, 3, 7)
    assert await word(hub, key, "getNumbersStatus", country="0", operator="nope") == (
        "WRONG_OPERATOR"
    )


async def test_prices_v2_v3_and_extended(hub, make_buyer, stock):
    one, two = stock
    key = await make_buyer()
    v2 = await json_reply(hub, key, "getPricesV2", country="0", service="vk")
    assert v2 == {"0": {"vk": {"14.00": 7}}}
    v3 = await json_reply(hub, key, "getPricesV3", country="0", service="vk")
    assert v3 == {
        "0": {
            "vk": {
                str(one): {"price": Decimal("14.00"), "count": 3, "provider_id": one},
                str(two): {"price": Decimal("14.00"), "count": 4, "provider_id": two},
            }
        }
    }
    # Nobody offers Russian WhatsApp numbers: no offers, no entry.
    assert await json_reply(hub, key, "getPricesV3", country="0", service="wa") == {}
    extended = await json_reply(hub, key, "getPricesExtended", country="0", service="vk")
    assert extended == {"0": {"vk": {"cost": Decimal("14.00"), "count": 7, "physicalCount": 7}}}


@pytest.mark.parametrize("action", ["getTopCountriesByService", "getTopCountriesByServiceRank"])
async def test_top_countries_most_numbers_first_keyed_as_clients_index(
    hub, make_buyer, stock, action
):
    key = await make_buyer()
    reply = await handler(hub, api_key=key, action=action, service="tg", freePrice="true")
    rows = orjson.loads(reply.content)
    assert next(iter(rows)) == "2"  # Kazakhstan has the only Telegram numbers
    for country_id, row in rows.items():
        assert row["country"] == int(country_id)
        # JSON numbers: a client int()s them, and a decimal string would raise there.
        assert isinstance(row["price"], float) and isinstance(row["retail_price"], float)
        assert isinstance(row["count"], int)
    assert rows["2"] == {
        "country": 2,
        "count": 2,
        "price": 25.0,
        "retail_price": 25.0,
        "freePriceMap": {"25.00": 2},
    }
    assert b'"price":25.00' in reply.content
    assert await word(hub, key, action) == "BAD_SERVICE"


async def test_countries_carry_every_name_clients_read(hub, make_buyer):
    key = await make_buyer()
    async with hub.ctx.db.transaction() as session:
        await session.execute(update(Country).where(Country.slug == "usa").values(enabled=False))
    countries = await json_reply(hub, key, "getCountries")
    russia = countries["0"]
    assert russia == {
        "id": 0,
        "rus": "Россия",
        "eng": "Russia",
        "chn": "俄罗斯",
        "tur": "Rusya",
        "spa": "Rusia",
        "hin": "Russia",
        "ara": "Russia",
        "fra": "Russie",
        "visible": 1,
        "retry": 1,
        "rent": 0,
        "multiService": 0,
    }
    assert countries["46"]["rus"] == "Швеция" and countries["51"]["eng"] == "Belarus"
    assert "187" not in countries
    assert all(row["id"] == int(key_) for key_, row in countries.items())


async def test_services_list_names_services_in_the_language_asked(hub, make_buyer):
    key = await make_buyer()
    listed = await json_reply(hub, key, "getServicesList")
    assert listed["status"] == "success"
    assert {"code": "vk", "name": "VKontakte"} in listed["services"]
    assert len(listed["services"]) == len(seed_data.SERVICES)
    russian = await json_reply(hub, key, "getServicesList", country="0", lang="ru")
    assert {"code": "vk", "name": "ВКонтакте"} in russian["services"]
    async with hub.ctx.db.transaction() as session:
        await session.execute(delete(Price).where(Price.country_code == 77))
    assert await json_reply(hub, key, "getServicesList", country="2") == {
        "status": "success",
        "services": [],
    }


async def test_operators_per_country(hub, make_buyer):
    key = await make_buyer()
    russia = await json_reply(hub, key, "getOperators", country="0")
    assert russia["status"] == "success"
    assert list(russia["countryOperators"]) == ["0"]
    assert {"any", "mts", "megafon", "beeline", "tele2"} <= set(russia["countryOperators"]["0"])
    every = (await json_reply(hub, key, "getOperators"))["countryOperators"]
    assert "activ" in every["2"] and "mts" not in every["2"]
    assert every["187"] == ["any"]


@pytest.mark.parametrize(
    "action",
    [
        "getPrices",
        "getPricesV2",
        "getPricesV3",
        "getPricesExtended",
        "getNumbersStatus",
        "getServicesList",
        "getOperators",
    ],
)
async def test_unknown_country_is_bad_country(hub, make_buyer, action):
    key = await make_buyer()
    assert await word(hub, key, action, country="9999") == "BAD_COUNTRY"
    assert await word(hub, key, action, country="russia") == "BAD_COUNTRY"


@pytest.mark.parametrize(
    "action",
    ["getPrices", "getPricesV2", "getPricesV3", "getPricesExtended", "getTopCountriesByService"],
)
async def test_unknown_service_is_bad_service(hub, make_buyer, action):
    key = await make_buyer()
    assert await word(hub, key, action, service="VKcom") == "BAD_SERVICE"


async def test_no_match_is_an_empty_object(hub, make_buyer, stock):
    key = await make_buyer()
    async with hub.ctx.db.transaction() as session:
        await session.execute(delete(Price).where(Price.country_code == 77))
    for action in ("getPrices", "getPricesV2", "getPricesV3", "getPricesExtended"):
        assert await json_reply(hub, key, action, country="2") == {}
        assert await json_reply(hub, key, action, country="2", service="tg") == {}
    assert await json_reply(hub, key, "getNumbersStatus", country="2") == {}
    top = await json_reply(hub, key, "getTopCountriesByService", service="tg")
    assert "2" not in top


async def test_counts_come_from_what_a_connected_agent_reports(hub, make_buyer, connect_agent):
    key = await make_buyer()
    agent = await connect_agent(stock={"vk": 5, "tg": 2})
    assert await json_reply(hub, key, "getPrices", country="0", service="vk") == {
        "0": {"vk": {"cost": Decimal("14.00"), "count": 5}}
    }
    agent.stock = {"vk": 1}
    hub.clock.advance(hub.ctx.settings.stock_poll_seconds + 1)
    await hub.tick()
    status = await json_reply(hub, key, "getNumbersStatus", country="0")
    assert (status["vk_0"], status["tg_0"]) == (1, 0)

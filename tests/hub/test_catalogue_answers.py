"""getNumbersStats and getServiceList answered as bytes encoded once per catalogue change:
the same answer again costs no encoding, and a price change (here or in another process)
shows at once."""

from __future__ import annotations

from typing import Any

from simgate.catalog import service as catalog
from simgate.dialects.common.remembered import ANSWERS
from tests.hub.conftest import Hub
from tests.hub.test_change_feed import through_other_process


def vk_stats(stats: dict[str, Any]) -> Any:
    return stats["services"]["service_VKcom"]


def vk_listed(listed: list[dict[str, Any]]) -> dict[str, Any]:
    return next(item for item in listed if item["slug"] == "VKcom")


async def price_vk(hub: Hub, minor: int) -> None:
    async with hub.ctx.db.transaction() as session:
        await catalog.set_price(session, 7, "vk", index=minor)


async def test_an_answer_is_encoded_once_until_a_price_changes(hub, buyer):
    answers = hub.ctx.db.memo(ANSWERS)
    first = await hub.api("getNumbersStats", buyer, country=7)
    encoded = answers.loads
    assert await hub.api("getNumbersStats", buyer, country=7) == first
    assert answers.loads == encoded  # the second answer was the first one's bytes

    await price_vk(hub, 4321)
    second = await hub.api("getNumbersStats", buyer, country=7)
    assert answers.loads == encoded + 1
    assert vk_stats(first)["price"] != vk_stats(second)["price"] == 43.21


async def test_each_country_and_method_has_its_own_answer(hub, buyer):
    await price_vk(hub, 1234)
    one = await hub.api("getNumbersStats", buyer, country=7)
    assert vk_stats(one)["price"] == 12.34
    assert (await hub.api("getNumbersStats", buyer, country="all"))["7"] == one
    assert vk_listed(await hub.api("getServiceList", buyer, country=7))["index"] == "12.34"
    assert (await hub.api("getNumbersStats", buyer, country=999))["response"] != 1


async def test_a_price_set_elsewhere_shows_in_both_listings(hub, buyer, database_url):
    await price_vk(hub, 1234)
    stats = await hub.api("getNumbersStats", buyer, country=7)
    listed = await hub.api("getServiceList", buyer, country=7)

    async def reprice(session) -> None:
        await catalog.set_price(session, 7, "vk", index=4321)

    await through_other_process(database_url, hub, reprice)
    assert vk_stats(await hub.api("getNumbersStats", buyer, country=7))["price"] == 43.21
    assert vk_listed(await hub.api("getServiceList", buyer, country=7))["index"] == "43.21"
    assert (vk_stats(stats)["price"], vk_listed(listed)["index"]) == (12.34, "12.34")

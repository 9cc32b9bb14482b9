"""The catalog read model the dialects list from: offers per country and the "other" price."""

from __future__ import annotations

import pytest

from simgate.catalog import listing
from simgate.catalog import service as catalog
from simgate.catalog.service import UnknownCountry
from simgate.core.clock import FrozenClock
from simgate.core.db import Database
from simgate.suppliers import service as suppliers
from simgate.suppliers.client import StockLine


async def test_a_service_the_catalog_does_not_know_is_priced_as_other(db: Database) -> None:
    async with db.transaction() as session:
        await catalog.set_price(session, 7, "other", index=777)
        await catalog.set_price(session, 7, "VKcom", index=1400)
    unknown = await listing.price_of(db, 7, "no-such-site")
    known = await listing.price_of(db, 7, "vk")
    assert unknown is not None and unknown.index_price == 777
    assert known is not None and known.index_price == 1400


async def test_an_unknown_or_disabled_country_is_refused(db: Database) -> None:
    with pytest.raises(UnknownCountry):
        await listing.country_offers(db, 999)
    with pytest.raises(UnknownCountry):
        await listing.price_of(db, 999, "vk")


async def test_offers_count_free_numbers_of_enabled_suppliers(
    db: Database, clock: FrozenClock
) -> None:
    async with db.transaction() as session:
        one = await suppliers.add(session, "one", "http://127.0.0.1:1/", "k" * 32, clock.now())
        two = await suppliers.add(session, "two", "http://127.0.0.1:2/", "j" * 32, clock.now())
        await suppliers.store_stock(
            session, one, [StockLine("russia", "any", "vk", 3)], clock.now()
        )
        await suppliers.store_stock(
            session, two, [StockLine("russia", "mts", "vk", 4)], clock.now()
        )
    listed = await listing.country_offers(db, 7)
    counts = {o.service.slug: o.count for o in listed.offers}
    assert listed.country.slug == "russia"
    assert counts["VKcom"] == 7
    assert counts["7"] == 0  # "other" (slug 7): nothing reported under its code
    every = {c.country.code: c for c in await listing.all_offers(db)}
    assert 7 in every and [o.count for o in every[7].offers] == [o.count for o in listed.offers]

"""Per-dialect names for the catalog's countries and services."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from simgate.catalog import aliases, listing, seed_data
from simgate.catalog.aliases import Dialect
from simgate.catalog.service import UnknownCountry
from simgate.core.db import Database
from simgate.models import Country


async def test_each_dialect_finds_the_country_by_its_own_number(db: Database) -> None:
    assert (await listing.country_in(db, Dialect.SMS_ACTIVATE, 0)).slug == "russia"
    assert (await listing.country_in(db, Dialect.SMS_ACTIVATE, 2)).slug == "kazakhstan"
    assert (await listing.country_in(db, Dialect.SMS_ACTIVATE, 187)).slug == "usa"
    assert (await listing.country_in(db, Dialect.ONLINESIM, 7)).slug == "russia"
    assert (await listing.country_in(db, Dialect.ONLINESIM, 77)).slug == "kazakhstan"
    russia = await listing.country_in(db, Dialect.ONLINESIM, 7)
    assert aliases.country_code(Dialect.SMS_ACTIVATE, russia) == 0
    assert aliases.country_code(Dialect.ONLINESIM, russia) == 7


async def test_an_unknown_or_disabled_country_is_refused_in_every_dialect(db: Database) -> None:
    with pytest.raises(UnknownCountry):
        await listing.country_in(db, Dialect.SMS_ACTIVATE, 9999)
    async with db.transaction() as session:
        await session.execute(update(Country).where(Country.slug == "usa").values(enabled=False))
    with pytest.raises(UnknownCountry):
        await listing.country_in(db, Dialect.SMS_ACTIVATE, 187)
    with pytest.raises(UnknownCountry):
        await listing.country_in(db, Dialect.ONLINESIM, 1)


async def test_each_dialect_names_services_its_own_way(db: Database) -> None:
    vk = await listing.service_in(db, Dialect.SMS_ACTIVATE, "vk")
    assert vk is not None and vk.slug == "VKcom"
    assert aliases.service_names(Dialect.ONLINESIM, vk) == ("VKcom", "vk")
    assert aliases.service_names(Dialect.SMS_ACTIVATE, vk) == ("vk",)
    # onlinesim's slug means nothing to sms-activate; its short code does to onlinesim.
    assert await listing.service_in(db, Dialect.SMS_ACTIVATE, "VKcom") is None
    other = await listing.service_in(db, Dialect.SMS_ACTIVATE, "ot")
    assert other is not None and other.takes_all


def test_every_seeded_country_has_one_sms_activate_id() -> None:
    slugs = {slug for slug, _code, _dial, _name in seed_data.COUNTRIES}
    table = aliases.SMS_ACTIVATE_COUNTRY_IDS
    assert slugs <= set(table), sorted(slugs - set(table))
    assert len(set(table.values())) == len(table)
    for slug, number in table.items():
        assert aliases.country_slug(Dialect.SMS_ACTIVATE, number) == slug

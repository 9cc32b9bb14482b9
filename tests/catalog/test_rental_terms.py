"""getNum reads its catalogue terms in one SELECT (catalog.repository.rental_terms). It must
say what the separate lookups say: the service by slug, alias or agent code (a slug or alias
winning over another service's code), the takes-all service for any other name, an enabled
country, an operator of that country (or of every country), and the price row."""

from __future__ import annotations

from sqlalchemy import delete, insert, update
from sqlalchemy.ext.asyncio import AsyncSession

from simgate.catalog import repository as catalog
from simgate.core.db import Database
from simgate.models import Country, Operator, Price, Service

NAMES = ["vk", "VK", "VKcom", "vkcom", " tg ", "wa", "ot", "other", "Mail.ru Group", "nosuch"]
COUNTRIES = [7, 77, 1, 380, 9999]
OPERATORS = ["any", "mts", "MTS", "activ", "everywhere", "nosuch"]


async def separately(
    session: AsyncSession, name: str, code: int, operator: str
) -> catalog.RentalTerms:
    """The same terms, from the lookups getNum made one by one before."""
    service = await catalog.service_by_name(session, name)
    by_sender = service is None
    if service is None:
        service = await catalog.other_service(session)
    country = await catalog.country_by_code(session, code)
    known = country is not None and await catalog.operator_exists(session, country.slug, operator)
    price = await catalog.price(session, code, service.id) if country else None
    prices = None
    if price is not None:
        prices = catalog.Prices(
            price.index_price, price.repeat_price, price.deferr_price, price.payout
        )
    return catalog.RentalTerms(
        service_id=service.id,
        service_slug=service.slug,
        agent_code=service.agent_code,
        by_sender=by_sender,
        country_slug=country.slug if country else None,
        operator_known=known,
        prices=prices,
    )


async def test_one_select_says_what_the_lookups_say(db: Database) -> None:
    async with db.transaction() as session:
        # A service whose agent code is another service's alias: the alias wins.
        session.add(
            Service(slug="Clash", alias="clash", agent_code="VKCOM", title="clash", takes_all=False)
        )
        await session.execute(
            insert(Operator).values(country_slug=None, slug="everywhere", name="Everywhere")
        )
        await session.execute(update(Country).where(Country.code == 1).values(enabled=False))
        vk = await catalog.service_by_name(session, "vk")
        assert vk is not None
        await session.execute(
            delete(Price).where(Price.country_code == 77, Price.service_id == vk.id)
        )
    checked = 0
    async with db.read() as session:
        for name in NAMES:
            for code in COUNTRIES:
                for operator in OPERATORS:
                    one = await catalog.rental_terms(session, name.strip(), code, operator.lower())
                    many = await separately(session, name.strip(), code, operator.lower())
                    assert one == many, (name, code, operator)
                    checked += 1
        terms = await catalog.rental_terms(session, "vkcom", 7, "any")
        assert terms.service_slug == "VKcom" and not terms.by_sender
        assert (await catalog.rental_terms(session, "nosuch", 7, "any")).by_sender
        assert (await catalog.rental_terms(session, "vk", 77, "any")).prices is None
        assert (await catalog.rental_terms(session, "vk", 1, "any")).country_slug is None
        assert (await catalog.rental_terms(session, "vk", 7, "activ")).operator_known is False
        assert (await catalog.rental_terms(session, "vk", 7, "everywhere")).operator_known
    assert checked == len(NAMES) * len(COUNTRIES) * len(OPERATORS)

"""Operator actions on prices, the stop-list and limits: each writes its audit row with it,
a form sent twice acts once, and an action that fails or changes nothing leaves no row."""

from __future__ import annotations

import asyncio
import json

import pytest

from simgate.accounts import service as accounts
from simgate.audit import service as audit
from simgate.audit.service import Actor
from simgate.catalog import service as catalog
from simgate.core.clock import FrozenClock
from simgate.core.db import Database
from simgate.core.deps import Deps
from simgate.core.errors import InvalidInput
from simgate.core.settings import Settings
from simgate.delivery import admin as delivery_admin
from simgate.delivery.errors import NoValidNumbers
from simgate.operators import catalog_actions


@pytest.fixture
async def deps(db: Database, settings: Settings, clock: FrozenClock) -> Deps:
    async with db.transaction() as session:
        await catalog.seed(session)
        await accounts.create(session, settings, "bob", clock.now())
    return Deps(db, clock, settings)


async def vk_price(deps: Deps) -> tuple[int, int]:
    async with deps.db.read() as session:
        [(price, _, _)] = await catalog.prices(session, country="7", service="vk")
    return price.index_price, price.payout


async def events(deps: Deps) -> list[tuple[str, str, str, dict[str, object]]]:
    found = await audit.read_page(deps.db, None, 20)
    return [(e.actor, e.action, e.subject, json.loads(e.details)) for e in found]


async def test_a_price_form_sent_twice_changes_the_price_once(deps: Deps) -> None:
    boss = Actor(1, "boss", request_key="prices-1")
    results = await asyncio.gather(
        catalog_actions.set_price(deps, boss, 7, "VKcom", index=20_00),
        catalog_actions.set_price(deps, boss, 7, "VKcom", index=30_00),
    )
    assert sorted(results) == [False, True]
    assert await vk_price(deps) in {(20_00, 12_00), (30_00, 18_00)}
    assert len(await events(deps)) == 1
    assert await catalog_actions.set_price(deps, Actor.cli(), 7, "vk", index=9_00, payout=1_00)
    assert await vk_price(deps) == (9_00, 1_00)
    assert (await events(deps))[0] == ("cli", "price.set", "7 vk", {"index": 900, "payout": 100})


async def test_a_refused_price_leaves_no_row_and_frees_its_key(deps: Deps) -> None:
    boss = Actor(1, "boss", request_key="prices-2")
    with pytest.raises(InvalidInput):
        await catalog_actions.set_price(deps, boss, 7, "vk", index=5_00, payout=6_00)
    with pytest.raises(catalog.UnknownService):
        await catalog_actions.set_price(deps, boss, 7, "no-such-service", index=5_00)
    with pytest.raises(catalog.UnknownCountry):
        await catalog_actions.set_price(deps, boss, 999_999, "vk", index=5_00)
    assert await vk_price(deps) == (14_00, 8_40)
    assert await events(deps) == []
    assert await catalog_actions.set_price(deps, boss, 7, "vk", index=5_00)
    assert await vk_price(deps) == (5_00, 3_00)


async def test_stop_list_add_and_remove_are_recorded_only_when_they_act(deps: Deps) -> None:
    cli = Actor.cli()
    with pytest.raises(NoValidNumbers):
        await catalog_actions.stop_list_add(deps, cli, "no number", "")
    assert await catalog_actions.stop_list_add(deps, cli, "+7 900 123-45-67", "complaint")
    assert not await catalog_actions.stop_list_remove(deps, cli, "79009999999")  # not listed
    async with deps.db.read() as session:
        assert [e.phone for e in await delivery_admin.stop_list(session)] == ["79001234567"]
    assert await catalog_actions.stop_list_remove(deps, cli, "79001234567")
    async with deps.db.read() as session:
        assert list(await delivery_admin.stop_list(session)) == []
    assert await events(deps) == [
        ("cli", "stoplist.remove", "79001234567", {}),
        ("cli", "stoplist.add", "79001234567", {"reason": "complaint"}),
    ]


async def test_limits_change_once_and_nothing_asked_records_nothing(deps: Deps) -> None:
    boss = Actor(1, "boss", request_key="limits-1")
    assert not await catalog_actions.set_limits(deps, boss, "bob")
    assert await catalog_actions.set_limits(deps, boss, "bob", max_open=3, per_minute=7)
    assert not await catalog_actions.set_limits(deps, boss, "bob", max_open=4)  # sent again
    with pytest.raises(InvalidInput):
        await catalog_actions.set_limits(deps, Actor.cli(), "bob", parallel=-1)
    async with deps.db.read() as session:
        bob = await accounts.get(session, "bob")
    assert (bob.max_concurrent, bob.max_getnum_per_minute) == (3, 7)
    assert await events(deps) == [
        ("boss", "account.limits", "bob", {"max_open": 3, "per_minute": 7})
    ]

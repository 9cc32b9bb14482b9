"""The API-key memory: used within its time, forgotten after or on a change to accounts,
off when ttl is 0."""

from __future__ import annotations

import asyncio

from simgate.core.changes import ACCOUNTS, CATALOG, EVERYTHING, Changes, account_topic
from simgate.core.clock import FrozenClock
from simgate.dialects.common.apikey import KeyCache
from simgate.models import Account


def test_remembers_until_ttl_then_forgets():
    clock = FrozenClock()
    cache = KeyCache(ttl=2.0, clock=clock)
    account = Account(name="a")
    assert cache.get("k") is None
    cache.put("k", account)
    assert cache.get("k") is account
    assert cache.get("other") is None
    clock.advance(2.0)
    assert cache.get("k") is account
    clock.advance(0.5)
    assert cache.get("k") is None


def test_zero_ttl_never_remembers():
    cache = KeyCache(ttl=0)
    cache.put("k", Account(name="a"))
    assert cache.get("k") is None


def test_a_change_to_accounts_or_keys_forgets_every_key_and_others_keep_them():
    cache = KeyCache(ttl=2.0, clock=FrozenClock())
    cache.put("k1", Account(id=1, name="a"))
    cache.forget(Changes(frozenset({CATALOG, account_topic(1)})))
    assert cache.get("k1") is not None
    cache.forget(Changes(frozenset({ACCOUNTS})))
    assert cache.get("k1") is None
    cache.put("k1", Account(id=1, name="a"))
    cache.forget(EVERYTHING)
    assert cache.get("k1") is None


class Lookup:
    """A key lookup that waits until the test lets it finish, counting how often it ran."""

    def __init__(self) -> None:
        self.runs = 0
        self.started = asyncio.Event()
        self.finish = asyncio.Event()

    async def __call__(self) -> Account:
        self.runs += 1
        self.started.set()
        await self.finish.wait()
        return Account(id=self.runs, name="a")


async def test_concurrent_asks_for_one_key_look_it_up_once():
    cache = KeyCache(ttl=2.0, clock=FrozenClock())
    lookup = Lookup()
    asks = [asyncio.create_task(cache.look_up("k", lookup)) for _ in range(5)]
    await lookup.started.wait()
    lookup.finish.set()
    accounts = await asyncio.gather(*asks)
    assert lookup.runs == 1
    assert all(account is accounts[0] for account in accounts)
    assert cache.get("k") is accounts[0]


async def test_a_lookup_under_way_when_accounts_change_is_neither_kept_nor_joined():
    cache = KeyCache(ttl=2.0, clock=FrozenClock())
    stale = Lookup()
    first = asyncio.create_task(cache.look_up("k", stale))
    await stale.started.wait()
    cache.forget(Changes(frozenset({ACCOUNTS})))  # e.g. the key was revoked meanwhile
    fresh = Lookup()
    fresh.finish.set()
    second = await cache.look_up("k", fresh)
    assert fresh.runs == 1  # the later ask did not join the lookup that began before
    stale.finish.set()
    await first
    assert cache.get("k") is second

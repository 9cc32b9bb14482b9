"""The API-key memory: used within its time, forgotten after or on a change to accounts,
off when ttl is 0."""

from __future__ import annotations

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

"""The API-key memory: used within its time, forgotten after, off when ttl is 0."""

from __future__ import annotations

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


def test_forgetting_an_account_forgets_all_its_keys_and_no_other():
    cache = KeyCache(ttl=2.0, clock=FrozenClock())
    mine, theirs = Account(id=1, name="a"), Account(id=2, name="b")
    cache.put("k1", mine)
    cache.put("k2", mine)
    cache.put("k3", theirs)
    cache.forget_accounts({1})
    assert cache.get("k1") is None and cache.get("k2") is None
    assert cache.get("k3") is theirs

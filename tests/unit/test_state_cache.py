"""getState's memory: fresh until its time, dropped by a commit, never filled by a stale read."""

from __future__ import annotations

from simgate.activations.state_cache import StateCache
from simgate.core.clock import FrozenClock


def test_entries_live_until_ttl():
    clock = FrozenClock()
    cache = StateCache(ttl=1.0, clock=clock)
    cache.put(7, "key", ["view"], cache.generation(7))
    assert cache.get(7, "key") == ["view"]
    assert cache.get(8, "key") is None
    clock.advance(1.0)
    assert cache.get(7, "key") == ["view"]
    clock.advance(0.5)
    assert cache.get(7, "key") is None


def test_invalidation_drops_entries_and_refuses_reads_that_raced_it():
    cache = StateCache(ttl=60)
    before = cache.generation(7)
    cache.put(7, "a", ["old"], before)
    cache.invalidate({7})
    assert cache.get(7, "a") is None
    cache.put(7, "a", ["read before the commit"], before)  # a query that raced the commit
    assert cache.get(7, "a") is None
    cache.put(7, "a", ["new"], cache.generation(7))
    assert cache.get(7, "a") == ["new"]


def test_zero_ttl_disables():
    cache = StateCache(ttl=0)
    cache.put(1, "k", ["v"], 0)
    assert cache.get(1, "k") is None

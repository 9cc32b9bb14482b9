"""In-memory reads under the change feed: one load per miss however many wait, dropped by a
change to their topic, never filled (or shared) by a load that raced a change."""

from __future__ import annotations

import asyncio

import pytest

from simgate.core.changes import EVERYTHING, ChangeFeed, Changes
from simgate.core.clock import FrozenClock
from simgate.core.memo import Memo


class Heard:
    """A feed source that hears everything (what a running feed is) or, `live=False`, not."""

    def __init__(self, live: bool = True) -> None:
        self.live = live
        self.looks = 0

    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        pass

    def catch_up(self) -> None:
        self.looks += 1


class Gate:
    """A load that waits until the test opens it, counting how often it ran."""

    def __init__(self, value: str) -> None:
        self.value = value
        self.opened = asyncio.Event()
        self.started = asyncio.Event()
        self.runs = 0

    async def __call__(self) -> str:
        self.runs += 1
        self.started.set()
        await self.opened.wait()
        return self.value


def opened(value: str) -> Gate:
    gate = Gate(value)
    gate.opened.set()
    return gate


async def live_feed(live: bool = True) -> ChangeFeed:
    feed = ChangeFeed()
    await feed.start(Heard(live))
    return feed


async def test_concurrent_misses_share_one_load():
    memo = Memo(await live_feed(), ttl=60)
    gate = Gate("v1")
    waiting = [asyncio.create_task(memo.get("a:1", "k", gate)) for _ in range(20)]
    await gate.started.wait()
    gate.opened.set()
    assert await asyncio.gather(*waiting) == ["v1"] * 20
    assert gate.runs == 1
    assert await memo.get("a:1", "k", Gate("unused")) == "v1"
    assert memo.loads == 1


async def test_a_change_drops_the_topic_only():
    memo = Memo(await live_feed(), ttl=60)
    for topic in ("a:1", "a:2"):
        await memo.get(topic, "k", opened(f"{topic} old"))
    memo.forget(Changes(frozenset({"a:1"})))
    assert await memo.get("a:1", "k", opened("a:1 new")) == "a:1 new"
    assert await memo.get("a:2", "k", Gate("unused")) == "a:2 old"
    memo.forget(EVERYTHING)
    assert await memo.get("a:2", "k", opened("a:2 new")) == "a:2 new"


async def test_a_load_that_raced_a_change_is_neither_kept_nor_shared():
    feed = await live_feed()
    memo = Memo(feed, ttl=60)
    before = Gate("read before the commit")
    first = asyncio.create_task(memo.get("a:1", "k", before))
    await before.started.wait()
    feed.publish(Changes(frozenset({"a:1"})))  # the commit lands while the read runs
    after = Gate("read after the commit")
    second = asyncio.create_task(memo.get("a:1", "k", after))
    await after.started.wait()  # a caller arriving after the commit loads again
    after.opened.set()
    assert await second == "read after the commit"
    before.opened.set()  # the stale read lands last: it must not overwrite the fresh one
    assert await first == "read before the commit"
    assert await memo.get("a:1", "k", Gate("unused")) == "read after the commit"


async def test_a_failed_load_is_not_kept():
    memo = Memo(await live_feed(), ttl=60)

    async def broken() -> str:
        raise ConnectionError("down")

    with pytest.raises(ConnectionError):
        await memo.get("catalog", "k", broken)
    assert await memo.get("catalog", "k", opened("v")) == "v"


async def test_nothing_is_kept_while_the_feed_is_not_live():
    memo = Memo(await live_feed(live=False), ttl=60)
    for expected in ("one", "two"):
        assert await memo.get("a:1", "k", opened(expected)) == expected
    assert memo.loads == 2


async def test_the_ttl_is_a_safety_net():
    clock = FrozenClock()
    memo = Memo(await live_feed(), ttl=5, clock=clock)
    assert await memo.get("a:1", "k", opened("old")) == "old"
    clock.advance(4.9)
    assert await memo.get("a:1", "k", opened("new")) == "old"
    clock.advance(0.2)
    assert await memo.get("a:1", "k", opened("new")) == "new"


async def test_zero_ttl_keeps_nothing():
    memo = Memo(await live_feed(), ttl=0)
    for expected in ("one", "two"):
        assert await memo.get("a:1", "k", opened(expected)) == expected


async def test_a_read_of_several_topics_is_dropped_by_a_change_to_any_of_them():
    memo = Memo(await live_feed(), ttl=60)
    await memo.get(("catalog", "stock"), "k", opened("offers old"))
    await memo.get("catalog", "k", opened("prices old"))
    memo.forget(Changes(frozenset({"stock"})))
    assert await memo.get(("catalog", "stock"), "k", opened("offers new")) == "offers new"
    assert await memo.get("catalog", "k", Gate("unused")) == "prices old"
    memo.forget(Changes(frozenset({"catalog"})))  # the other topic, once again the group
    assert await memo.get(("catalog", "stock"), "k", opened("offers newer")) == "offers newer"


async def test_a_load_of_several_topics_that_raced_a_change_to_one_is_not_kept():
    feed = await live_feed()
    memo = Memo(feed, ttl=60)
    before = Gate("read before the commit")
    first = asyncio.create_task(memo.get(("catalog", "stock"), "k", before))
    await before.started.wait()
    feed.publish(Changes(frozenset({"stock"})))
    before.opened.set()
    assert await first == "read before the commit"
    assert await memo.get(("catalog", "stock"), "k", opened("after")) == "after"

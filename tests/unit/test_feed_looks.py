"""The change feed asks its source once per pass of the event loop: the requests of one pass
arrived before it began, so one look serves them all, and the next pass looks again."""

from __future__ import annotations

import asyncio
import threading

from simgate.core.changes import ChangeFeed
from tests.unit.test_memo import Heard


async def test_one_look_per_pass_of_the_loop():
    feed, source = ChangeFeed(), Heard()
    await feed.start(source)
    feed.catch_up()
    feed.catch_up()  # the same request's next cached read, or another request of this pass
    assert source.looks == 1
    await asyncio.sleep(0)  # the next pass: what it answers may have arrived after a commit
    feed.catch_up()
    assert source.looks == 2


def test_outside_a_loop_every_call_looks():
    feed, source = ChangeFeed(), Heard()
    feed.source = source  # (start needs a loop; the source is all catch_up uses)
    feed.catch_up()
    feed.catch_up()
    assert source.looks == 2


async def test_a_new_loop_looks_although_the_last_one_closed_before_its_reset():
    feed, source = ChangeFeed(), Heard()
    feed.source = source
    feed.catch_up()  # on this test's loop, whose next pass (and reset) comes only after
    # Another loop, run while this one is held (joined without awaiting): as a later test's
    # loop would be after this one closed with its reset still pending.
    other = threading.Thread(target=lambda: asyncio.run(_look(feed)))
    other.start()
    other.join()
    assert source.looks == 2


async def _look(feed: ChangeFeed) -> None:
    feed.catch_up()

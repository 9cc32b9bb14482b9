"""core.side_by_side: every item runs, never more than `at_once` together, and an item that
raises is logged and counted 0 while the others go on."""

from __future__ import annotations

import asyncio
import logging

import pytest

from simgate.core import side_by_side

log = logging.getLogger("test_side_by_side")


async def test_at_most_at_once_items_run_together_and_all_run() -> None:
    release = asyncio.Event()
    running: set[int] = set()
    most = 0
    three_running = asyncio.Event()

    async def item(n: int) -> int:
        nonlocal most
        running.add(n)
        most = max(most, len(running))
        if len(running) == 3:
            three_running.set()
        await release.wait()
        running.discard(n)
        return n

    task = asyncio.create_task(side_by_side.each(range(10), item, at_once=3, log=log, what="x"))
    await three_running.wait()
    await asyncio.sleep(0)  # a pass of the loop: a fourth item would start in it
    assert running == {0, 1, 2}
    release.set()
    assert await task == sum(range(10))
    assert most == 3


async def test_an_item_that_raises_counts_zero_and_the_others_go_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def item(n: int) -> int:
        if n == 2:
            raise RuntimeError("boom")
        return 1

    with caplog.at_level(logging.ERROR, logger=log.name):
        done = await side_by_side.each(range(5), item, at_once=2, log=log, what="item")
    assert done == 4
    assert [r.getMessage() for r in caplog.records] == ["item 2 failed"]

"""Run one coroutine per item, a bounded number at a time: for background jobs whose items
each wait on an agent, so that one slow or silent agent holds up only its own items."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import TypeVar

Item = TypeVar("Item")


async def each(
    items: Iterable[Item],
    run: Callable[[Item], Awaitable[int]],
    *,
    at_once: int,
    log: logging.Logger,
    what: str,
) -> int:
    """`run(item)` for every item, at most `at_once` running; the sum of what they return. An
    item that raises is logged (as "`what` <item> failed") and counts 0: the others go on."""
    running = asyncio.Semaphore(at_once)

    async def one(item: Item) -> int:
        async with running:
            try:
                return await run(item)
            except Exception:
                log.exception("%s %s failed", what, item)
                return 0

    return sum(await asyncio.gather(*(one(item) for item in items)))

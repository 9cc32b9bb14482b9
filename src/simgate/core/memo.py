"""Reads kept in memory until a commit changes their topic (see `core.changes`).

`Memo.get(topic, key, load)` answers from memory when it can (`topic` may be a tuple, for
a read that a change to any of its topics makes stale). A miss loads once: callers that ask
for the same thing meanwhile wait for that one load instead of querying too (single
flight). A change to the topic drops its entries and detaches loads in flight, so a
load that may have read before the commit is neither stored nor shared with a caller that
arrived after it. While the feed is not live (another process's commit could go unheard),
every call loads and nothing is kept. `ttl` is only a safety net for writes made behind
simgate's back (by hand in the database); every commit through simgate is heard at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar

from simgate.core.changes import ChangeFeed, Changes
from simgate.core.clock import Clock, SystemClock

T = TypeVar("T")
# One topic, or several (a read that any of them changes).
Topics = str | tuple[str, ...]

# Bounds on memory: past them a Memo starts over (a reload costs one query per thing read).
MAX_TOPICS = 20_000
MAX_KEYS_PER_TOPIC = 5_000


class _Flight:
    """One load in progress; `current` goes False when a change makes it stale."""

    __slots__ = ("current", "task")

    def __init__(self, task: asyncio.Task[Any]) -> None:
        self.task = task
        self.current = True


class Memo:
    def __init__(self, feed: ChangeFeed, ttl: float, clock: Clock | None = None) -> None:
        self.ttl = ttl
        self._feed = feed
        self._clock: Clock = clock or SystemClock()
        self._entries: dict[Topics, dict[Hashable, tuple[float, Any]]] = {}
        self._flights: dict[Topics, dict[Hashable, _Flight]] = {}
        # topic -> the tuples naming it that have entries or flights (a change drops those too)
        self._groups: dict[str, set[tuple[str, ...]]] = {}
        self.loads = 0  # how many loads ran (tests check single flight with it)
        feed.subscribe(self.forget)

    async def get(self, topic: Topics, key: Hashable, load: Callable[[], Awaitable[T]]) -> T:
        """What `load()` returns, from memory when nothing changed `topic` since."""
        if self.ttl <= 0 or not self._feed.live:
            self.loads += 1
            return await load()
        self._feed.catch_up()
        entry = self._entries.get(topic, {}).get(key)
        if entry is not None and entry[0] > self._clock.monotonic():
            value: T = entry[1]
            return value
        flights = self._flights.setdefault(topic, {})
        flight = flights.get(key)
        if flight is None:
            flight = self._launch(topic, key, load)
            flights[key] = flight
            if isinstance(topic, tuple):
                for one in topic:
                    self._groups.setdefault(one, set()).add(topic)
        # Shielded: a caller that gives up (its client went away) does not cancel the load
        # the other callers wait for.
        return await asyncio.shield(flight.task)

    def _launch(self, topic: Topics, key: Hashable, load: Callable[[], Awaitable[Any]]) -> _Flight:
        self.loads += 1

        async def run() -> Any:
            return await load()

        flight = _Flight(asyncio.get_running_loop().create_task(run()))
        flight.task.add_done_callback(lambda task: self._landed(topic, key, flight, task))
        return flight

    def _landed(
        self, topic: Topics, key: Hashable, flight: _Flight, task: asyncio.Task[Any]
    ) -> None:
        flights = self._flights.get(topic)
        if flights is not None and flights.get(key) is flight:
            del flights[key]
            if not flights:
                del self._flights[topic]
        if task.cancelled() or task.exception() is not None or not flight.current:
            return  # (asking for the exception also keeps asyncio from reporting it unread)
        if len(self._entries) >= MAX_TOPICS and topic not in self._entries:
            self._entries.clear()  # (the groups index may keep names of dropped tuples: harmless)
        entries = self._entries.setdefault(topic, {})
        if len(entries) >= MAX_KEYS_PER_TOPIC:
            entries.clear()  # keys a client chooses (names it makes up) must not pile up
        entries[key] = (self._clock.monotonic() + self.ttl, task.result())

    def forget(self, changes: Changes) -> None:
        """Drop what `changes` makes stale (a feed listener)."""
        if changes.everything:
            stale = list(self._flights.values())
            self._flights.clear()
            self._entries.clear()
            self._groups.clear()
        else:
            dropped: list[Topics] = list(changes.topics)
            for topic in changes.topics:
                dropped.extend(self._groups.pop(topic, ()))
            stale = [f for t in dropped if (f := self._flights.pop(t, None)) is not None]
            for group in dropped:
                self._entries.pop(group, None)
        for flights in stale:
            for flight in flights.values():
                flight.current = False

"""The change feed: after every commit, every hub process learns which things it changed.

A transaction names what it changes as topics: `a:<id>` for what one account sees (its
rentals, its balance), `catalog` for what the catalogue offers and at what price (countries,
services, operators, prices), `stock` for who sells how many numbers now (suppliers and the
stock they reported; every rental counts one off, so it changes all the time and must not
take the prices down with it), `accounts` for accounts and their API keys.
Accounts' rentals and money are marked by the domain code that changes them; catalogue and
account tables carry `info={"topic": ...}` and any write to them marks the topic by itself,
so a write path cannot forget it.

On commit, the committing process tells its own listeners at once (exact). The other
processes hear it through the database's own mechanism (see `core.change_sources`):
PostgreSQL NOTIFY, sent inside the committing transaction, so it is delivered if and only if
the commit happens; on SQLite the committing transaction bumps its topics' rows in
`change_topics`, which the others read when `PRAGMA data_version` says something was
committed. Either way a process forgets only the topics a commit named. While a process
cannot hear the others (the listening connection is down), `live` is False and in-memory
caches step aside.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

log = logging.getLogger(__name__)

CATALOG = "catalog"
STOCK = "stock"  # suppliers and their stock: what a rental changes in the catalogue listings
ACCOUNTS = "accounts"  # accounts and their API keys: who may call, with which limits
TOPIC_INFO = "topic"  # the Table.info key naming the topic a write to that table marks
_MARKED = "simgate.topics"
_ACCOUNT_PREFIX = "a:"


def account_topic(account_id: int) -> str:
    return f"{_ACCOUNT_PREFIX}{account_id}"


@dataclass(frozen=True)
class Changes:
    """What one commit changed: some topics, or (`everything`) anything at all."""

    topics: frozenset[str] = frozenset()
    everything: bool = False

    def accounts(self) -> set[int]:
        """The accounts named (an `everything` change names none: ask `everything`)."""
        return {
            int(t[len(_ACCOUNT_PREFIX) :])
            for t in self.topics
            if t.startswith(_ACCOUNT_PREFIX) and t[len(_ACCOUNT_PREFIX) :].isdigit()
        }

    def touches(self, topic: str) -> bool:
        return self.everything or topic in self.topics


EVERYTHING = Changes(everything=True)

Listener = Callable[[Changes], None]


def mark(session: Session | Any, *topics: str) -> None:
    """Note that this transaction changes `topics`; every process hears it on commit.
    (`session` may be the AsyncSession or its Session: both share `info`.)"""
    session.info.setdefault(_MARKED, set()).update(topics)


def marked(session: Session | Any) -> set[str]:
    """The topics marked so far (flush first: a pending write marks its table on flush)."""
    return set(session.info.get(_MARKED, ()))


def clear_marks(session: Session | Any) -> None:
    session.info.pop(_MARKED, None)


class TrackedSession(Session):
    """A Session that marks the topic of every table it writes to (see `TOPIC_INFO`)."""


def _topics_of(tables: Iterable[Any]) -> set[str]:
    found = set()
    for table in tables:
        topic = getattr(table, "info", {}).get(TOPIC_INFO)
        if topic:
            found.add(topic)
    return found


@event.listens_for(TrackedSession, "after_flush")
def _flushed(session: Session, _flush: UOWTransaction) -> None:
    # Still the pre-flush view here: what was new, changed or deleted in this flush.
    objects = itertools.chain(session.new, session.dirty, session.deleted)
    topics = _topics_of({type(o).__table__ for o in objects if hasattr(type(o), "__table__")})
    if topics:
        mark(session, *topics)


@event.listens_for(TrackedSession, "do_orm_execute")
def _executed(state: ORMExecuteState) -> None:
    # INSERT/UPDATE/DELETE statements (bulk or Core-style) that bypass the unit of work.
    if state.is_insert or state.is_update or state.is_delete:
        topics = _topics_of([getattr(state.statement, "table", None)])
        if topics:
            mark(state.session, *topics)


class Source(Protocol):
    """How a process hears other processes' commits (one per database kind)."""

    live: bool

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    def catch_up(self) -> None: ...


class ChangeFeed:
    """One per process and database: local commits and other processes' commits, as Changes
    handed to every listener."""

    def __init__(self) -> None:
        # Tags this process's own notifications, so it does not act twice on its commits.
        self.origin = f"{os.getpid()}.{id(self):x}"
        self._listeners: list[Listener] = []
        self.source: Source | None = None
        # The loop in whose current pass the source was asked (None: ask at the next look).
        self._looked_in: asyncio.AbstractEventLoop | None = None

    @property
    def live(self) -> bool:
        """True while this process hears every other process's commits."""
        return self.source is not None and self.source.live

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call `listener` with each change; returns the function that stops it."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def publish(self, changes: Changes) -> None:
        """Hand `changes` to every listener (a listener's failure does not stop the others)."""
        for listener in list(self._listeners):
            try:
                listener(changes)
            except Exception:
                log.exception("change listener failed")

    def catch_up(self) -> None:
        """Hear, now, whatever the source can tell without waiting (SQLite: a commit made
        anywhere since the last look); called before a cached read, so it is exact.

        The source is asked once per pass of the event loop. Every request answered in a pass
        was read from its socket before the pass began, so a commit that ended before the
        request arrived is heard by the first look; each further look in the pass (a request
        checks its key, then its memory; many requests share a pass under load) would cost
        another `PRAGMA data_version` and tell nothing a request may rely on."""
        if self.source is None:
            return
        try:
            loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            loop = None  # no loop to tell passes apart: every call looks
        if loop is not None and self._looked_in is loop:
            return
        self.source.catch_up()
        if loop is not None:
            # Compared by loop, so a loop closed before the reset ran leaves no later loop
            # unasked. The reset runs in the next pass, before the requests it reads.
            self._looked_in = loop
            loop.call_soon(self._look_again)

    def _look_again(self) -> None:
        self._looked_in = None

    async def start(self, source: Source) -> None:
        """Listen through `source` until `stop`."""
        if self.source is not None:
            return
        self.source = source
        await source.start()

    async def stop(self) -> None:
        source, self.source = self.source, None
        if source is not None:
            await source.stop()
        self.publish(EVERYTHING)  # nothing heard from now on: nothing kept either


def encode(origin: str, topics: set[str], limit: int = 7000) -> str:
    """A NOTIFY payload (PostgreSQL takes under 8000 bytes): the origin, then the topics, or
    `*` when they would not fit."""
    body = ",".join(sorted(topics))
    if len(body) > limit:
        body = "*"
    return f"{origin}|{body}"


def decode(payload: str) -> tuple[str, Changes]:
    origin, _, body = payload.partition("|")
    if body == "*" or not body:
        return origin, EVERYTHING
    return origin, Changes(frozenset(body.split(",")))

"""Whole answers to a buyer's repeated reads, kept until anything they show may change.

A client polling getState or getBalance sends the very same request many times a second. A
handler whose answer may be given again says so (`Call.reuse`); the dispatcher then keeps
the answer's bytes by the request's own (dialect, method, query string) and answers the same
request from memory — no parameters read, no key checked, no handler run — until:

- a commit changes the account it is about (`a:<id>`: its rentals, its money) or any account
  or key (`accounts`: a block, a revoked key, API access taken away), heard through the
  change feed like every memory of the hub (`core.memo`); a lookup first catches up, so
  another process's commit is seen by the next request;
- the moment the handler named passes (getState's `time` counts down each second);
- `ttl` passes: the state and key memories' own, the bound on writes made behind simgate's
  back. With either memory off (ttl 0), nothing is kept.

An answer computed while any change was heard is not kept: it may have been read before that
commit. Only a GET without an Authorization header is kept: its key is in its query string,
so the same bytes are the same caller asking the same thing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from simgate.core.changes import ACCOUNTS, ChangeFeed, Changes
from simgate.core.clock import Clock

# Query strings are the client's to choose: past this many answers, the memory starts over.
MAX_ANSWERS = 10_000


class Reuse:
    """A handler's leave to give its answer again to the same request (see the module)."""

    __slots__ = ("allowed", "until")

    def __init__(self) -> None:
        self.allowed = False
        self.until: dt.datetime | None = None

    def allow(self, until: dt.datetime | None = None) -> None:
        """The answer holds until a commit changes the account, or until `until`."""
        self.allowed = True
        self.until = until


@dataclass(frozen=True, slots=True)
class Kept:
    body: bytes
    content_type: bytes
    method: str
    word: str
    account_id: int


class AnswerMemo:
    def __init__(self, feed: ChangeFeed, clock: Clock, ttl: Callable[[], float]) -> None:
        self._feed = feed
        self._clock = clock
        self._ttl = ttl
        # request -> (deadline on the clock's monotonic scale, its answer), as core.memo keeps
        self._answers: dict[Hashable, tuple[float, Kept]] = {}
        self._by_account: dict[int, set[Hashable]] = {}
        # Moves on every change heard: an answer is kept only if none came while it was made.
        self.epoch = 0
        self.hits = 0  # answers given from memory (tests look)
        feed.subscribe(self.forget)

    @property
    def on(self) -> bool:
        return self._feed.live and self._ttl() > 0

    def get(self, key: Hashable) -> Kept | None:
        """The kept answer to the request `key`, if nothing changed what it shows."""
        self._feed.catch_up()
        entry = self._answers.get(key)
        if entry is None:
            return None
        if entry[0] <= self._clock.monotonic():
            del self._answers[key]
            return None
        self.hits += 1
        return entry[1]

    def keep(self, key: Hashable, epoch: int, answer: Kept, until: dt.datetime | None) -> None:
        """Keep `answer` until `until` at the latest, if no change was heard since `epoch`."""
        if epoch != self.epoch:
            return
        life = self._ttl()
        if until is not None:
            life = min(life, (until - self._clock.now()).total_seconds())
        if life <= 0:
            return
        if len(self._answers) >= MAX_ANSWERS:
            self._forget_all()
        self._answers[key] = (self._clock.monotonic() + life, answer)
        self._by_account.setdefault(answer.account_id, set()).add(key)

    def forget(self, changes: Changes) -> None:
        """Drop what `changes` may have made stale (a change-feed listener)."""
        self.epoch += 1
        if changes.touches(ACCOUNTS):
            self._forget_all()
            return
        for account_id in changes.accounts():
            for key in self._by_account.pop(account_id, ()):
                self._answers.pop(key, None)

    def _forget_all(self) -> None:
        self._answers.clear()
        self._by_account.clear()

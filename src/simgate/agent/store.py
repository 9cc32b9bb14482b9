"""AgentStore: the async face of the agent's SQLite file, one method per use."""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3

from simgate.agent import outbox, sims, stock
from simgate.agent.db import Database
from simgate.agent.events import record_event
from simgate.agent.outbox import IncomingSms, OutSms, PushResult
from simgate.agent.sims import SimInfo
from simgate.agent.stock import Allocation, Expired, FinishResult, NumberRequest, Stock
from simgate.core.clock import Clock

log = logging.getLogger("simgate.agent")


class AgentStore:
    """Every read and write of agent state goes through here, on the database thread."""

    def __init__(self, db: Database, clock: Clock, max_cancels: int = 4) -> None:
        self.db = db
        self.clock = clock
        self.max_cancels = max_cancels

    async def kept_value(self, name: str, fresh: int) -> int:
        """The value kept under `name`, or `fresh`, kept from now on if none was."""

        def work(c: sqlite3.Connection) -> int:
            keep = "INSERT OR IGNORE INTO kept_values (name, value) VALUES (?, ?)"
            c.execute(keep, (name, fresh))
            row = c.execute("SELECT value FROM kept_values WHERE name = ?", (name,)).fetchone()
            return int(row[0])

        return await self.db.run(work)

    async def sim_online(self, sim: SimInfo) -> int:
        """A driver found a SIM ready: record it and make it sellable."""
        now = self.clock.now()
        return await self.db.run(lambda c: sims.upsert_sim(c, sim, now))

    async def sims_online(self, pool: list[SimInfo]) -> None:
        """A whole (simulated) pool comes up at once."""
        now = self.clock.now()
        await self.db.run(lambda c: sims.upsert_many(c, pool, now))

    async def port_offline(self, port: str, error: str) -> None:
        """The modem on a port stopped answering: its SIMs are not for sale until it is back."""
        now = self.clock.now()

        def work(c: sqlite3.Connection) -> None:
            sims.set_offline(c, port, error, now)
            record_event(c, now, "error", port, error)

        await self.db.run(work)

    async def set_signal(self, sim_key: str, signal: int | None) -> None:
        """Refresh a SIM's signal level."""
        now = self.clock.now()
        await self.db.run(lambda c: sims.set_signal(c, sim_key, signal, now))

    async def all_offline(self) -> None:
        """On start, nothing is sellable until a driver reports its SIM again."""
        now = self.clock.now()
        await self.db.run(lambda c: sims.all_offline(c, now))

    async def stock(self, services: list[str]) -> Stock:
        """What GET_SERVICES reports."""
        return await self.db.run(lambda c: stock.current_stock(c, services, self.max_cancels))

    async def allocate(self, request: NumberRequest, lifetime_seconds: int) -> Allocation | None:
        """Hand out a SIM for GET_NUMBER, or None."""
        now = self.clock.now()
        return await self.db.run(
            lambda c: stock.allocate(c, request, now, lifetime_seconds, self.max_cancels)
        )

    async def finish(self, activation_id: int, status: int) -> FinishResult:
        """FINISH_ACTIVATION."""
        now = self.clock.now()
        return await self.db.run(lambda c: stock.finish(c, activation_id, status, now))

    async def expire(self) -> list[Expired]:
        """Close activations the hub forgot, logging each."""
        now = self.clock.now()

        def work(c: sqlite3.Connection) -> list[Expired]:
            expired = stock.expire(c, now)
            for item in expired:
                record_event(
                    c, now, "warning", "lifetime",
                    f"activation {item.activation_id} ({item.phone}, {item.service}) "
                    "closed after its lifetime: the hub never finished it",
                )  # fmt: skip
            return expired

        return await self.db.run(work)

    async def receive_sms(self, sms: IncomingSms) -> int | None:
        """Commit a received SMS (or part); return its smsId once a whole message is stored."""
        now = self.clock.now()
        return await self.db.run(lambda c: outbox.receive(c, sms, now))

    async def flush_stale_parts(self, older_than: dt.datetime) -> list[int]:
        """Store incomplete concatenated SMS whose parts stopped arriving."""
        now = self.clock.now()
        return await self.db.run(lambda c: outbox.flush_stale_parts(c, older_than, now))

    async def due_sms(self, limit: int) -> list[OutSms]:
        """SMS to push now."""
        now = self.clock.now()
        return await self.db.run(lambda c: outbox.due(c, now, limit))

    async def record_push_results(self, results: list[PushResult], retry_seconds: float) -> None:
        """Remember what the hub answered for each pushed SMS."""
        now = self.clock.now()
        await self.db.run(lambda c: outbox.record_results(c, results, now, retry_seconds))

    async def event(self, level: str, source: str, message: str) -> None:
        """Journal an event for `simgate agent status`."""
        now = self.clock.now()
        await self.db.run(lambda c: record_event(c, now, level, source, message))

    async def prune(self, older_than: dt.datetime) -> None:
        """Drop PDU digests that can no longer be read twice."""
        await self.db.run(lambda c: outbox.prune_seen(c, older_than))

"""Commits what the SMSC said, in arrival order, many records per transaction.

One transaction per acknowledgement would cap the submit rate at the database's commit rate;
batching keeps the guarantee (an acknowledgement is durable in the transaction that marks
its part submitted) while paying one commit per batch.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from simgate.core import backoff
from simgate.core.deps import Deps
from simgate.delivery import outcomes
from simgate.delivery.receipts import Receipt

log = logging.getLogger(__name__)

BATCH = 500
# How a batch is gathered after its first record: the recorder waits LINGER_SECONDS, takes
# what came meanwhile, and waits again while records keep coming, at most MAX_LINGERS times.
# A transaction costs several ms of CPU whatever its size, and under load the SMSC's answers
# arrive without pause: one short wait would commit a window's worth at a time, while
# waiting as long as they keep coming pays one commit for many windows. A lone record waits
# one LINGER_SECONDS, a busy one at most MAX_LINGERS of them (50 ms); only when a part
# counts as submitted (and a give-back) is delayed, never a submit_sm.
LINGER_SECONDS = 0.005
MAX_LINGERS = 10
Record = outcomes.Ack | outcomes.GiveBack | Receipt


class Recorder:
    def __init__(self, deps: Deps) -> None:
        self._deps = deps
        self._queue: asyncio.Queue[Record] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="delivery-recorder")

    def put(self, record: Record) -> None:
        self._queue.put_nowait(record)

    async def flush(self) -> None:
        """Wait until everything put so far is committed."""
        await self._queue.join()

    async def stop(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.flush(), 10)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            batch = await self._gather()
            await self._commit(batch)
            for _ in batch:
                self._queue.task_done()

    async def _gather(self) -> list[Record]:
        """The next record, and those that follow it while they keep coming (see BATCH)."""
        batch = [await self._queue.get()]
        self._take_waiting(batch)
        for _ in range(MAX_LINGERS):
            if len(batch) >= BATCH:
                break
            await self._linger()
            if self._queue.empty():
                break  # none came during the wait
            self._take_waiting(batch)
        return batch

    def _take_waiting(self, batch: list[Record]) -> None:
        while len(batch) < BATCH and not self._queue.empty():
            batch.append(self._queue.get_nowait())

    async def _linger(self) -> None:
        await asyncio.sleep(LINGER_SECONDS)

    async def _commit(self, batch: list[Record]) -> None:
        failures = 0
        while True:
            try:
                async with self._deps.db.transaction() as session:
                    now = self._deps.clock.now()
                    for run in _runs(batch):
                        await self._apply(session, run, now)
                return
            except SQLAlchemyError:
                # Dropping these would resend acknowledged parts; the database is needed for
                # anything else anyway, so wait for it.
                log.exception("could not record %d SMSC results; retrying", len(batch))
                failures += 1
                await asyncio.sleep(backoff.delay(0.05, failures, cap=5.0))

    async def _apply(self, session: AsyncSession, run: list[Record], now: dt.datetime) -> None:
        settings = self._deps.settings
        if isinstance(run[0], outcomes.Ack):
            acks = [r for r in run if isinstance(r, outcomes.Ack)]
            await outcomes.record_acks(session, settings, acks, now)
        elif isinstance(run[0], Receipt):
            await outcomes.record_receipts(session, [r for r in run if isinstance(r, Receipt)], now)
        else:
            for record in run:
                if isinstance(record, outcomes.GiveBack):
                    await outcomes.give_back(session, settings, record, now)


def _runs(batch: list[Record]) -> list[list[Record]]:
    """Consecutive records of one kind, in order: each run is applied in bulk, and a give-back
    still comes after the acknowledgements that preceded it."""
    runs: list[list[Record]] = []
    for record in batch:
        if runs and type(runs[-1][0]) is type(record):
            runs[-1].append(record)
        else:
            runs.append([record])
    return runs

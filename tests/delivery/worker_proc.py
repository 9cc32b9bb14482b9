"""A queue worker process for the kill -9 tests: settings from SIMGATE_* variables, runs a
DeliveryRunner until killed (or SIGTERM).

With KILL9_PAUSE_AFTER_ACKS=n and KILL9_PAUSE_FILE=path (test-only knobs of this process,
not simgate settings), the first transaction that records SMSC acknowledgements after n of
them have been committed stops: its batch is written but never committed, its
(message_id, seq) pairs go to the file, and the process waits there for the test to kill it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import signal
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from simgate.core.settings import Settings
from simgate.delivery import outcomes
from simgate.delivery.runner import DeliveryRunner
from simgate.hub.context import HubContext


def pause_before_commit(after: int, report: Path) -> None:
    """Wrap `outcomes.record_acks` (the recorder looks it up on each batch) with the pause."""
    record_acks = outcomes.record_acks
    committed = 0  # by the batches before this one

    async def record_then_pause(
        session: AsyncSession, settings: Settings, acks: Sequence[outcomes.Ack], now: dt.datetime
    ) -> None:
        nonlocal committed
        await record_acks(session, settings, acks, now)
        if committed < after:
            committed += len(acks)
            return
        staged = report.with_suffix(".tmp")
        staged.write_text(json.dumps([[ack.message_id, ack.seq] for ack in acks]))
        staged.rename(report)  # the test sees the whole list or nothing
        await asyncio.Event().wait()  # inside the open transaction, until kill -9

    outcomes.record_acks = record_then_pause


async def main() -> None:
    if "KILL9_PAUSE_AFTER_ACKS" in os.environ:
        after = int(os.environ["KILL9_PAUSE_AFTER_ACKS"])
        pause_before_commit(after, Path(os.environ["KILL9_PAUSE_FILE"]))
    ctx = HubContext.create(Settings())
    runner = DeliveryRunner(ctx.deps)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await runner.start()
    print("worker running", flush=True)
    await stop.wait()
    await runner.stop()
    await ctx.close()


if __name__ == "__main__":
    asyncio.run(main())

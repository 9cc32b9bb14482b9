"""Waiting for the system to come to rest once the load and the faults have stopped."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from chaos.pushes import read_only

log = logging.getLogger("chaos.settle")

OPEN_RENTALS = "SELECT count(*) FROM activations WHERE state IN ('pending', 'waiting', 'answered')"
UNSENT_OUTBOX = "SELECT count(*) FROM outbox WHERE done_at IS NULL"
UNPUSHED_SMS = "SELECT count(*) FROM sms WHERE state = 'pending'"


async def settle(database_url: str, agent_dbs: list[Path], seconds: float) -> bool:
    """Wait until every rental is closed, every FINISH sent and every agent SMS pushed."""
    engine = create_async_engine(database_url)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    try:
        while loop.time() < deadline:
            async with engine.connect() as conn:
                open_rentals = (await conn.execute(text(OPEN_RENTALS))).scalar_one()
                unsent = (await conn.execute(text(UNSENT_OUTBOX))).scalar_one()
            unpushed = 0
            for path in agent_dbs:
                with read_only(path) as db:
                    unpushed += int(db.execute(UNPUSHED_SMS).fetchone()[0])
            if open_rentals == 0 and unsent == 0 and unpushed == 0:
                return True
            log.info("settling: %d open, %d unsent, %d unpushed", open_rentals, unsent, unpushed)
            await asyncio.sleep(1)
    finally:
        await engine.dispose()
    return False

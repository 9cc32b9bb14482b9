"""Receipts read off a session as it breaks are recorded, not dropped.

smpp34 answers a deliver_sm as soon as it reads it, so the SMSC forgets that receipt: if the
runner tore the session down without taking the receipts already read, the message they
finish would stay "submitted" for good.
"""

from __future__ import annotations

import asyncio

from simgate.core.clock import SystemClock
from simgate.core.db import Database
from simgate.core.settings import Settings
from simgate.delivery.receipts import Receipt
from simgate.delivery.runner import DeliveryRunner
from simgate.delivery.transport import (
    ESME_ROK,
    LogTransport,
    PartPdu,
    SubmitOutcome,
    Transport,
    TransportError,
)
from tests.delivery.conftest import Customer, make_ctx
from tests.delivery.test_smpp import all_in, enqueue, eventually


class BreakingSession:
    """Accepts the first part, then the link breaks on the second; the first part's receipt
    is read off the socket only after the break, as a cut can leave it."""

    name = "breaking"

    def __init__(self) -> None:
        self.broke = asyncio.Event()
        self.accepted: list[str] = []

    async def open(self) -> None:
        return None

    async def submit(self, pdu: PartPdu) -> SubmitOutcome:
        if self.accepted:
            self.broke.set()
            raise TransportError("connection reset")
        self.accepted.append(pdu.destination)
        return SubmitOutcome(ESME_ROK, "first-1")

    async def next_receipt(self) -> Receipt | None:
        if self.broke.is_set():
            return None  # the library's end of session, after what it had read
        await self.broke.wait()
        # Let the dispatcher see the break and end before this receipt is handed over.
        for _ in range(50):
            await asyncio.sleep(0)
        return Receipt("first-1", "DELIVRD", "delivered")

    async def close(self) -> None:
        return None


async def test_receipts_read_as_the_session_breaks_are_recorded(
    settings: Settings, db: Database, customer: Customer
) -> None:
    ctx = make_ctx(settings, db, SystemClock())
    first = BreakingSession()
    sessions: list[Transport] = [first]

    def next_session() -> Transport:
        return sessions.pop(0) if sessions else LogTransport()

    await enqueue(ctx, customer, ["79004440001", "79004440002"], "cut")
    runner = DeliveryRunner(ctx.deps, next_session)
    await runner.start()
    try:
        await eventually(all_in(ctx, "delivered", 2))
    finally:
        await runner.stop()
        await ctx.close_http()
    assert len(first.accepted) == 1 and runner.sessions >= 2

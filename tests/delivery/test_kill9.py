"""kill -9 of a process running the queue.

With 1,000 queued messages and submits in flight: after a restart each message reaches the
SMSC exactly once (acknowledged ones are never resent; those whose submit_sm was never
answered are sent again). Killed between an SMSC acknowledgement and its commit: the part is
sent again, once — SMPP gives no way to ask the SMSC what it accepted — and charged once.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import func, select

from simgate.core.clock import SystemClock
from simgate.core.db import Database
from simgate.core.settings import Settings
from simgate.delivery import service
from simgate.ledger import service as ledger
from simgate.models.delivery import OutboundMessage, OutboundPart
from tests.delivery.conftest import SENDER, make_ctx, make_customer
from tests.delivery.smsc import LoopbackSmsc, Submitted

ROOT = Path(__file__).resolve().parents[2]
MESSAGES = 1000
ACCEPTED_BEFORE_KILL = 300
TWO_PART_MESSAGES = 200
TWO_PART_TEXT = "exactly once, part by part " * 7  # 189 GSM characters: two parts
PART_PRICE = 50


@asynccontextmanager
async def worker(
    database_url: str, smsc_port: int, data_dir: Path, **test_env: str
) -> AsyncIterator[int]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIMGATE_")}
    env.update(
        SIMGATE_DATABASE_URL=database_url,
        SIMGATE_DATA_DIR=str(data_dir),
        SIMGATE_SMSC_HOST="127.0.0.1",
        SIMGATE_SMSC_PORT=str(smsc_port),
        SIMGATE_SMSC_SYSTEM_ID="simgate",
        SIMGATE_SMSC_THROUGHPUT_PER_SECOND="5000",
        SIMGATE_DELIVERY_CLAIM_SECONDS="3",
        SIMGATE_DELIVERY_POLL_SECONDS="0.02",
    )
    env.update(test_env)
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.delivery.worker_proc", cwd=ROOT, env=env
    )
    try:
        yield proc.pid
    finally:
        if proc.returncode is None:
            proc.kill()
        await asyncio.wait_for(proc.wait(), 10)


async def eventually(check: Callable[[], Awaitable[bool]], within: float) -> None:
    deadline = time.monotonic() + within
    while not await check():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.05)


def acknowledged(db: Database, count: int) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        async with db.read() as session:
            stmt = select(func.count()).where(OutboundPart.smsc_message_id.is_not(None))
            return int((await session.execute(stmt)).scalar_one()) >= count

    return check


async def test_kill_9_with_1000_queued_submits_each_exactly_once(
    settings: Settings, db: Database, database_url: str, tmp_path: Path
) -> None:
    ctx = make_ctx(settings, db, SystemClock())
    customer = await make_customer(ctx, balance=MESSAGES * 50)
    phones = [f"7901{i:07d}" for i in range(MESSAGES)]
    for start in range(0, MESSAGES, service.MAX_NUMBERS):
        async with db.transaction() as session:
            await service.send(
                session, ctx.settings, customer.account_id,
                phones=",".join(phones[start : start + service.MAX_NUMBERS]),
                text="exactly once", sender=SENDER, now=ctx.clock.now(),
            )  # fmt: skip
    async with LoopbackSmsc(receipts=False) as smsc:
        smsc.stall_after = ACCEPTED_BEFORE_KILL
        async with worker(database_url, smsc.port, tmp_path) as pid:
            await eventually(acknowledged(db, ACCEPTED_BEFORE_KILL), within=30)
            await eventually(lambda: _stalled(smsc), within=10)
            os.kill(pid, signal.SIGKILL)  # acks committed, more submits in flight unanswered
        # What the killed worker sent and the SMSC had not read yet stays unanswered too: if
        # the SMSC accepted it now, no acknowledgement could reach anyone, and sending it
        # again would be the duplicate SMPP cannot rule out (the second test's case).
        smsc.stall_sessions_so_far()
        smsc.stall_after = None
        async with worker(database_url, smsc.port, tmp_path):
            await eventually(acknowledged(db, MESSAGES), within=40)
        accepted = Counter(s.destination for s in smsc.accepted)
    assert len(smsc.stalled) > 0  # the kill really interrupted submits in flight
    assert set(accepted) == set(phones)
    assert set(accepted.values()) == {1}
    async with db.read() as session:
        view = await ledger.balance(session, customer.account_id)
        assert (view.captured, view.held) == (MESSAGES * 50, 0)
        assert await ledger.check(session) == []
    await ctx.close_http()


async def _stalled(smsc: LoopbackSmsc) -> bool:
    return len(smsc.stalled) > 0


async def test_kill_9_between_an_acknowledgement_and_its_commit(
    settings: Settings, db: Database, database_url: str, tmp_path: Path
) -> None:
    ctx = make_ctx(settings, db, SystemClock())
    customer = await make_customer(ctx, balance=TWO_PART_MESSAGES * 2 * PART_PRICE)
    phones = [f"7902{i:07d}" for i in range(TWO_PART_MESSAGES)]
    for start in range(0, TWO_PART_MESSAGES, service.MAX_NUMBERS):
        async with db.transaction() as session:
            await service.send(
                session, ctx.settings, customer.account_id,
                phones=",".join(phones[start : start + service.MAX_NUMBERS]),
                text=TWO_PART_TEXT, sender=SENDER, now=ctx.clock.now(),
            )  # fmt: skip
    report = tmp_path / "uncommitted-acks.json"
    async with LoopbackSmsc(receipts=False) as smsc:
        # At this rate the 400 parts take 200 ms to send, several of the recorder's batches:
        # the batch that pauses comes after at least one committed batch.
        pause = {
            "KILL9_PAUSE_AFTER_ACKS": "50",
            "KILL9_PAUSE_FILE": str(report),
            "SIMGATE_SMSC_THROUGHPUT_PER_SECOND": "2000",
        }
        async with worker(database_url, smsc.port, tmp_path, **pause) as pid:
            await eventually(lambda: _exists(report), within=30)
            os.kill(pid, signal.SIGKILL)  # the SMSC accepted these parts; nothing recorded it
        committed = await _acknowledged_parts(db)
        uncommitted = await _parts_of(db, json.loads(report.read_text()))
        async with worker(database_url, smsc.port, tmp_path):
            await eventually(acknowledged(db, 2 * TWO_PART_MESSAGES), within=40)
        sent = Counter((s.destination, _seq(s)) for s in smsc.accepted)
    assert uncommitted and not uncommitted & committed
    assert set(sent) == {(phone, seq) for phone in phones for seq in (1, 2)}
    assert {sent[part] for part in committed} == {1}  # acknowledged and committed: never again
    assert {sent[part] for part in uncommitted} == {2}  # acknowledged, not committed: once more
    assert max(sent.values()) == 2
    async with db.read() as session:
        view = await ledger.balance(session, customer.account_id)
        assert (view.captured, view.held) == (TWO_PART_MESSAGES * 2 * PART_PRICE, 0)
        assert await ledger.check(session) == []
    await ctx.close_http()


async def _exists(path: Path) -> bool:
    return await asyncio.to_thread(path.exists)


def _seq(submitted: Submitted) -> int:
    return submitted.udh[5] if submitted.udh else 1


async def _acknowledged_parts(db: Database) -> set[tuple[str, int]]:
    stmt = (
        select(OutboundMessage.phone, OutboundPart.seq)
        .join(OutboundMessage, OutboundMessage.id == OutboundPart.message_id)
        .where(OutboundPart.smsc_message_id.is_not(None))
    )
    async with db.read() as session:
        return {(phone, seq) for phone, seq in await session.execute(stmt)}


async def _parts_of(db: Database, pairs: list[list[int]]) -> set[tuple[str, int]]:
    ids = {message_id for message_id, _ in pairs}
    stmt = select(OutboundMessage.id, OutboundMessage.phone).where(OutboundMessage.id.in_(ids))
    async with db.read() as session:
        phone_of = {int(i): phone for i, phone in await session.execute(stmt)}
    return {(phone_of[message_id], seq) for message_id, seq in pairs}

"""Sustained submit_sm rate of simgate's outbound queue against a loopback SMSC, as a ratio to
a bare smpp34 client against the same SMSC in the same run.

    python bench/delivery_submit_rate.py [--messages 5000] [--window 10] [--database-url URL]

The SMSC is smpp34's own server in this process, accepting every submit_sm. The bare client
keeps `window` submits in flight and does nothing else; it runs before and after simgate and
the ratio is to the mean of the two, so a machine busy with other work skews both alike.
simgate's path is the whole queue: the messages are committed first (not timed), then a
DeliveryRunner claims them from the database, submits through the same library, and commits
every acknowledgement (and captures the money) before a part counts as submitted. Timed: from
runner start until no message is queued any more (looked at every 20 ms; that all of them
were submitted is checked after). Also printed: the CPU this process spent per message
meanwhile (the SMSC's share included).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import socket
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import smpp34
from sqlalchemy import exists, select

from simgate.accounts import service as accounts
from simgate.catalog import service as catalog
from simgate.core.clock import SystemClock
from simgate.core.db import Database
from simgate.core.migrate import upgrade_async
from simgate.core.settings import Settings
from simgate.delivery import admin, queue, service
from simgate.delivery.runner import DeliveryRunner
from simgate.hub.context import HubContext
from simgate.models.delivery import OutboundMessage

SENDER = "bench"
POLL_SECONDS = 0.02


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def smsc_loop(server: smpp34.Server, counter: list[int]) -> None:
    ids = itertools.count(1)
    while True:
        event = await server.next()
        if isinstance(event, smpp34.SubmitSmEvent):
            event.accept(message_id=f"{next(ids):x}")
            counter[0] += 1


async def bare_client(port: int, messages: int, window: int) -> float:
    client = smpp34.Client(
        host="127.0.0.1", port=port, system_id="bare", password="x", window_size=window
    )
    session = await client.connect()
    slots = asyncio.Semaphore(window)

    async def one(i: int) -> None:
        async with slots:
            resp = await session.submit_sm(f"7900{i:07d}", b"bench text", source_addr=SENDER)
            assert resp.is_success

    started = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(messages)))
    elapsed = time.perf_counter() - started
    await session.unbind()
    await client.stop()
    return messages / elapsed


async def prepare(url: str, settings: Settings, messages: int) -> Database:
    await upgrade_async(url)
    db = Database(url)
    async with db.transaction() as session:
        await catalog.seed(session)
        now = SystemClock().now()
        owner = await accounts.create(session, settings, "bench", now, balance=messages * 100)
        await admin.decide_sender(session, owner.account.id, SENDER, "completed", now)
    for start in range(0, messages, service.MAX_NUMBERS):
        phones = ",".join(f"7900{i:07d}" for i in range(start, min(start + 50, messages)))
        async with db.transaction() as session:
            await service.send(
                session, settings, owner.account.id,
                phones=phones, text="bench text", sender=SENDER, now=SystemClock().now(),
            )  # fmt: skip
    return db


async def simgate_queue(port: int, messages: int, window: int, url: str) -> tuple[float, float]:
    """(submit_sm per second, CPU ms per message) of the whole queue."""
    settings = Settings(
        database_url=url,
        smsc_host="127.0.0.1",
        smsc_port=port,
        smsc_system_id="simgate",
        smsc_window=window,
        smsc_throughput_per_second=1e6,
        delivery_poll_seconds=0.01,
    )
    db = await prepare(url, settings, messages)
    ctx = HubContext(settings=settings, db=db, clock=SystemClock())
    runner = DeliveryRunner(ctx.deps)
    started, cpu = time.perf_counter(), time.process_time()
    await runner.start()
    # One index probe per look: counting the messages by state every 20 ms would cost the
    # database (and, on SQLite, this process) a scan of the whole queue each time.
    any_queued = select(exists().where(OutboundMessage.state == queue.QUEUED))
    while True:
        async with db.read() as session:
            if not (await session.execute(any_queued)).scalar_one():
                break
        await asyncio.sleep(POLL_SECONDS)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    await runner.stop()
    async with db.read() as session:
        submitted = (await queue.count_by_state(session)).get("submitted", 0)
    assert submitted == messages, f"{submitted} of {messages} submitted"
    await ctx.close()
    return messages / elapsed, cpu * 1000 / messages


@dataclass(frozen=True)
class Result:
    bare_before: float
    bare_after: float
    ours: float
    cpu_ms: float  # per message, simgate's queue
    accepted: int

    @property
    def ratio(self) -> float:
        return self.ours / ((self.bare_before + self.bare_after) / 2)


async def measure(messages: int, window: int, url: str = "") -> Result:
    """The bare client, simgate's queue, the bare client again, against one loopback SMSC;
    `url` empty: a fresh SQLite file."""
    port = free_port()
    server = smpp34.Server(host="127.0.0.1", port=port, system_id="BENCHSMSC")
    await server.start()
    counter = [0]
    loop_task = asyncio.create_task(smsc_loop(server, counter))
    try:
        with tempfile.TemporaryDirectory() as tmp:
            url = url or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
            before = await bare_client(port, messages, window)
            ours, cpu_ms = await simgate_queue(port, messages, window, url)
            after = await bare_client(port, messages, window)
    finally:
        loop_task.cancel()
    return Result(before, after, ours, cpu_ms, counter[0])


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--window", type=int, default=10)
    parser.add_argument("--database-url", default="", help="default: a fresh SQLite file")
    args = parser.parse_args()
    result = await measure(args.messages, args.window, args.database_url)
    database = (args.database_url or "sqlite").split(":")[0]
    print(f"messages={args.messages} window={args.window} database={database}")
    print(f"bare smpp34 client : {result.bare_before:10.0f} / {result.bare_after:.0f} submit_sm/s")
    print(f"simgate queue      : {result.ours:10.0f} submit_sm/s")
    print(f"ratio              : {result.ratio:10.3f}")
    print(f"CPU per message    : {result.cpu_ms:10.3f} ms (simgate's queue and the SMSC)")
    print(f"SMSC accepted      : {result.accepted}")


if __name__ == "__main__":
    asyncio.run(main())

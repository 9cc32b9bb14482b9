"""Sustained submit_sm rate of simgate's outbound queue against a loopback SMSC, as a ratio to
a bare smpp34 client against the same SMSC in the same run.

    python bench/delivery_submit_rate.py [--messages 5000] [--window 10] [--database-url URL]

The SMSC is smpp34's own server in this process, accepting every submit_sm. The bare client
keeps `window` submits in flight and does nothing else. simgate's path is the whole queue: the
messages are committed first (not timed), then a DeliveryRunner claims them from the database,
submits through the same library, and commits every acknowledgement (and captures the money)
before a part counts as submitted. Timed: from runner start to the last commit.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import socket
import tempfile
import time
from pathlib import Path

import smpp34

from simgate.accounts import service as accounts
from simgate.catalog import service as catalog
from simgate.core.clock import SystemClock
from simgate.core.db import Database
from simgate.core.migrate import upgrade_async
from simgate.core.settings import Settings
from simgate.delivery import admin, queue, service
from simgate.delivery.runner import DeliveryRunner
from simgate.hub.context import HubContext

SENDER = "bench"


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


async def simgate_queue(port: int, messages: int, window: int, url: str) -> float:
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
    started = time.perf_counter()
    await runner.start()
    while True:
        async with db.read() as session:
            if (await queue.count_by_state(session)).get("submitted", 0) >= messages:
                break
        await asyncio.sleep(0.5)
    elapsed = time.perf_counter() - started
    await runner.stop()
    await ctx.close()
    return messages / elapsed


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--window", type=int, default=10)
    parser.add_argument("--database-url", default="", help="default: a fresh SQLite file")
    args = parser.parse_args()
    port = free_port()
    server = smpp34.Server(host="127.0.0.1", port=port, system_id="BENCHSMSC")
    await server.start()
    counter = [0]
    loop_task = asyncio.create_task(smsc_loop(server, counter))
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        bare = await bare_client(port, args.messages, args.window)
        ours = await simgate_queue(port, args.messages, args.window, url)
    loop_task.cancel()
    print(f"messages={args.messages} window={args.window} database={url.split(':')[0]}")
    print(f"bare smpp34 client : {bare:10.0f} submit_sm/s")
    print(f"simgate queue      : {ours:10.0f} submit_sm/s")
    print(f"ratio              : {ours / bare:10.3f}")
    print(f"SMSC accepted      : {counter[0]}")


if __name__ == "__main__":
    asyncio.run(main())

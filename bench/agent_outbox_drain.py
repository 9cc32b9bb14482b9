"""PUSH_SMS outbox drain rate: how fast a backlog of SMS leaves the agent for a hub.

Fills a fresh agent's outbox with `--messages` SMS (as after a hub outage), starts the agent
(AgentRuntime) and times until every SMS has a final answer. The receiver is, by default, a
minimal PUSH_SMS endpoint in a child process that gunzips, parses and answers SUCCESS; point
`--hub-url` (and `--key`) at a running hub's PUSH_SMS URL to measure it instead (a hub may
answer NO_OPERATION for these made-up numbers: such SMS count as drained, "rejected").

    python bench/agent_outbox_drain.py [--messages 5000] [--concurrency 4] [--hub-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import multiprocessing as mp
import tempfile
import time
from pathlib import Path
from typing import Any

KEY = "bench-key"


def _run_receiver(port_queue: Any, stop: Any) -> None:
    import orjson
    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    async def push(request: Request) -> Response:
        raw = await request.body()
        if request.headers.get("content-encoding") == "gzip":
            raw = gzip.decompress(raw)
        body = orjson.loads(raw)
        assert isinstance(body["smsId"], int) and body["action"] == "PUSH_SMS"
        return Response(b'{"status":"SUCCESS"}', media_type="application/json")

    async def main() -> None:
        app = Starlette(routes=[Route("/push_sms_webhook", push, methods=["POST"])])
        config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
        server = uvicorn.Server(config)
        task = asyncio.create_task(server.serve())
        for _ in range(3000):
            if server.started:
                break
            await asyncio.sleep(0.01)
        port_queue.put(server.servers[0].sockets[0].getsockname()[1])
        await asyncio.to_thread(stop.wait)
        server.should_exit = True
        await task

    asyncio.run(main())


async def _fill(data_dir: Path, count: int) -> None:
    from simgate.agent import outbox
    from simgate.agent.db import Database
    from simgate.core.clock import SystemClock

    db = Database(data_dir / "agent.db")
    now = SystemClock().now()
    await db.open(now)
    messages = [
        outbox.IncomingSms("bench", 79000000000 + n, "VK", f"VK: {10000 + n} — код подтверждения")
        for n in range(count)
    ]
    await db.run(lambda c: [outbox.receive(c, sms, now) for sms in messages])
    await db.close()


async def _drain(data_dir: Path, hub_url: str, key: str, concurrency: int, count: int) -> None:
    from simgate.agent.config import AgentConfig
    from simgate.agent.runtime import AgentRuntime

    await _fill(data_dir, count)
    config = AgentConfig(
        key=key, port=0, data_dir=data_dir, hub_url=hub_url, push_concurrency=concurrency,
        push_timeout_seconds=10,
    )  # fmt: skip
    started = time.perf_counter()
    async with AgentRuntime(config) as agent:
        while True:
            states = await agent.db.run(
                lambda c: dict(
                    c.execute("SELECT state, count(*) FROM sms GROUP BY state").fetchall()
                )
            )
            if not states.get("pending"):
                break
            await asyncio.sleep(0.05)
        elapsed = time.perf_counter() - started
    print(f"drained {count} SMS in {elapsed:.2f} s: {count / elapsed:.0f} messages/s "
          f"(push concurrency {concurrency}); outcome {states}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description="PUSH_SMS outbox drain benchmark")
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--hub-url", default="", help="a running hub's PUSH_SMS URL")
    parser.add_argument("--key", default=KEY, help="the agent key the hub expects")
    args = parser.parse_args()
    ctx = mp.get_context("spawn")
    stop = ctx.Event()
    receiver = None
    hub_url = args.hub_url
    if not hub_url:
        ports = ctx.Queue()
        receiver = ctx.Process(target=_run_receiver, args=(ports, stop))
        receiver.start()
        hub_url = f"http://127.0.0.1:{ports.get(timeout=60)}/push_sms_webhook"
    print(f"receiver {hub_url}")
    try:
        with tempfile.TemporaryDirectory() as data_dir:
            asyncio.run(_drain(Path(data_dir), hub_url, args.key, args.concurrency, args.messages))
    finally:
        stop.set()
        if receiver is not None:
            receiver.join(30)


if __name__ == "__main__":
    main()

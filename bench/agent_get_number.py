"""GET_NUMBER latency under 50 concurrent requests against a simulated pool of 2,000 SIMs.

The agent (AgentRuntime with a simulated pool) runs in a child process. This process fires
bursts of `--concurrency` simultaneous GET_NUMBER requests over keep-alive connections and
times each one; between bursts it returns the numbers (FINISH_ACTIVATION status 5, untimed)
so the pool never runs dry. A minimal HTTP/1.1 client on asyncio streams is used so that the
figures measure the agent, not the client library.

    python bench/agent_get_number.py [--sims 2000] [--concurrency 50] [--bursts 60]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import orjson

KEY = "bench-key"


def _run_agent(data_dir: str, sims: int, synchronous: str, urls: Any, stop: Any) -> None:
    from simgate.agent.config import AgentConfig
    from simgate.agent.runtime import AgentRuntime

    async def main() -> None:
        config = AgentConfig(
            key=KEY, port=0, data_dir=Path(data_dir), simulate=sims, sim_sms_count=0,
            sqlite_synchronous=synchronous,
        )  # fmt: skip
        async with AgentRuntime(config) as agent:
            urls.put(agent.url)
            await asyncio.to_thread(stop.wait)

    asyncio.run(main())


class Connection:
    """One keep-alive HTTP/1.1 connection that POSTs JSON and reads JSON back."""

    def __init__(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str
    ) -> None:
        self.reader, self.writer, self.host = reader, writer, host

    @classmethod
    async def open(cls, url: str) -> Connection:
        parts = urlsplit(url)
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        return cls(reader, writer, parts.netloc)

    async def post(self, body: dict[str, Any]) -> dict[str, Any]:
        payload = orjson.dumps(body)
        head = (
            f"POST / HTTP/1.1\r\nHost: {self.host}\r\nUser-Agent: bench\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
        )
        self.writer.write(head.encode() + payload)
        headers = await self.reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in headers.split(b"\r\n"):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        reply: dict[str, Any] = orjson.loads(await self.reader.readexactly(length))
        return reply

    def close(self) -> None:
        self.writer.close()


async def _burst(conns: list[Connection], latencies: list[float]) -> list[int]:
    async def one(conn: Connection) -> int | None:
        body = {"action": "GET_NUMBER", "key": KEY, "country": "russia", "operator": "any",
                "service": "vk", "sum": 10, "exceptionPhoneSet": ["7900"]}  # fmt: skip
        started = time.perf_counter()
        reply = await conn.post(body)
        latencies.append(time.perf_counter() - started)
        return reply["activationId"] if reply["status"] == "SUCCESS" else None

    ids = await asyncio.gather(*(one(c) for c in conns))
    return [i for i in ids if i is not None]


async def _load(url: str, concurrency: int, bursts: int) -> None:
    conns = [await Connection.open(url) for _ in range(concurrency)]
    latencies: list[float] = []
    rented = 0
    started = time.perf_counter()
    for n in range(bursts + 2):
        sample: list[float] = [] if n < 2 else latencies  # two warm-up bursts
        ids = await _burst(conns, sample)
        rented += len(ids) if n >= 2 else 0
        await asyncio.gather(*(
            c.post({"action": "FINISH_ACTIVATION", "key": KEY, "activationId": i, "status": 5})
            for c, i in zip(conns, ids, strict=False)
        ))  # fmt: skip
    elapsed = time.perf_counter() - started
    for conn in conns:
        conn.close()
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000

    print(f"{bursts} bursts of {concurrency} concurrent GET_NUMBER: {len(ordered)} requests, "
          f"{len(ordered) - rented} NO_NUMBERS")  # fmt: skip
    print(f"latency ms: p50 {pct(0.50):.1f}  p90 {pct(0.90):.1f}  p99 {pct(0.99):.1f}  "
          f"max {ordered[-1] * 1000:.1f}  mean {statistics.mean(ordered) * 1000:.1f}")  # fmt: skip
    total = 2 * (bursts + 2) * concurrency
    print(f"throughput: {total / elapsed:.0f} requests/s (GET_NUMBER and FINISH together)")


def main() -> None:
    parser = argparse.ArgumentParser(description="GET_NUMBER latency benchmark")
    parser.add_argument("--sims", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--bursts", type=int, default=60)
    parser.add_argument("--synchronous", default="FULL", help="the agent's sqlite_synchronous")
    args = parser.parse_args()
    ctx = mp.get_context("spawn")
    urls, stop = ctx.Queue(), ctx.Event()
    with tempfile.TemporaryDirectory() as data_dir:
        child = ctx.Process(
            target=_run_agent, args=(data_dir, args.sims, args.synchronous, urls, stop)
        )
        child.start()
        try:
            url = urls.get(timeout=60)
            print(f"agent {url}: {args.sims} simulated SIMs, sqlite synchronous={args.synchronous}")
            asyncio.run(_load(url, args.concurrency, args.bursts))
        finally:
            stop.set()
            child.join(30)


if __name__ == "__main__":
    main()

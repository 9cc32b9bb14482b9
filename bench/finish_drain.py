"""How fast the worker performs the FINISH_ACTIVATION calls it owes agents, near and far.

    python bench/finish_drain.py [--messages 400] [--agents 2] [--delay-ms 0 50]

For each delay, a fresh SQLite hub database with --agents agents, each a bench/fast_agent.py
process on loopback that answers --delay-ms late (an agent across the internet), and
--messages FINISH_ACTIVATION calls owed, spread evenly over the agents. Then the worker's job
(`jobs.drain_outbox`, one pass after another, as its ticks would run it back to back) performs
them all; prints finishes per second. Run it with an older `src` first on PYTHONPATH to compare.
"""

from __future__ import annotations

import argparse
import contextlib
import tempfile
import time
from pathlib import Path

import uvloop

import speed
from simgate.activations.lifecycle import enqueue_finish
from simgate.core.clock import SystemClock
from simgate.core.settings import Settings
from simgate.hub.bootstrap import prepare_database
from simgate.hub.context import HubContext
from simgate.suppliers import service as suppliers
from simgate.worker import jobs


def agent_key(n: int) -> str:
    return f"{speed.AGENT_KEY}-{n}"


async def drain_rate(settings: Settings, agent_urls: list[str], messages: int) -> float:
    ctx = HubContext.create(settings)
    now = SystemClock().now()
    try:
        await prepare_database(ctx.db)
        async with ctx.db.transaction() as session:
            ids = [
                (await suppliers.add(session, f"agent{n}", url, agent_key(n), now)).id
                for n, url in enumerate(agent_urls)
            ]
            for n in range(messages):
                supplier_id = ids[n % len(ids)]
                await enqueue_finish(session, supplier_id, n, 3, now, dedupe=f"bench:{n}")
        started = time.perf_counter()
        done = 0
        while done < messages:
            sent = await jobs.drain_outbox(ctx)
            if not sent:
                raise RuntimeError(f"a pass performed nothing after {done} of {messages}")
            done += sent
        return messages / (time.perf_counter() - started)
    finally:
        await ctx.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--messages", type=int, default=400)
    parser.add_argument("--agents", type=int, default=2)
    parser.add_argument("--delay-ms", type=int, nargs="+", default=[0, 50])
    args = parser.parse_args()
    for delay in args.delay_ms:
        with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
            ports = [speed.free_port() for _ in range(args.agents)]
            for n, port in enumerate(ports):
                env = {
                    "SIMGATE_BENCH_AGENT_DELAY_MS": str(delay),
                    "SIMGATE_BENCH_AGENT_KEY": agent_key(n),
                }
                stack.enter_context(
                    speed.running(speed.uvicorn_app("fast_agent:app", port), port, env)
                )
            urls = [f"http://127.0.0.1:{port}/" for port in ports]
            settings = Settings(
                database_url=f"sqlite+aiosqlite:///{tmp}/hub.db", data_dir=Path(tmp)
            )
            rate = uvloop.run(drain_rate(settings, urls, args.messages))
            print(f"  agents {delay} ms away: {rate:.0f} FINISH_ACTIVATION per second", flush=True)


if __name__ == "__main__":
    main()

"""Client CPU per agent call: the hub's AgentClient asking bench/fast_agent.py for numbers.

    python bench/agent_client_cost.py [--calls 2000] [--rounds 3]

Starts bench/fast_agent.py on uvicorn (uvloop + httptools) in its own process, then, on
uvloop in this one, makes `--calls` GET_NUMBER calls one after another over the hub's own
client (`HubContext.create(settings).agents`, so the keep-alive pool, headers and metrics are
the hub's) and prints µs of this process's CPU (time.process_time) per call, for each round
after a warm-up. The agent's CPU is in its own process and not counted. Only the client's
public surface is used, so an older `src` first on PYTHONPATH is measured the same way.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import uvloop

import speed
from simgate.core.settings import Settings
from simgate.hub.context import HubContext
from simgate.suppliers.client import Endpoint, NumberGranted


async def measure(url: str, calls: int, rounds: int) -> list[float]:
    with tempfile.TemporaryDirectory() as data_dir:
        settings = Settings(data_dir=Path(data_dir))  # the database is never opened
        ctx = HubContext.create(settings)
        endpoint = Endpoint(url, "bench-agent", timeout=5.0)

        async def one() -> None:
            granted = await ctx.agents.get_number(
                endpoint, country="russia", operator="any", service="vk",
                amount=Decimal("8.40"), currency=643, exception_phones=["7900"],
            )  # fmt: skip
            assert isinstance(granted, NumberGranted)

        try:
            for _ in range(200):  # warm: imports, the pooled connection
                await one()
            figures = []
            for _ in range(rounds):
                started = time.process_time()
                for _ in range(calls):
                    await one()
                figures.append((time.process_time() - started) / calls * 1e6)
            return figures
        finally:
            await ctx.close()


def main() -> None:
    parser = argparse.ArgumentParser(description="client CPU per GET_NUMBER")
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    port = speed.free_port()
    with speed.running(speed.uvicorn_app("fast_agent:app", port), port, {}):
        url = f"http://127.0.0.1:{port}/"
        figures = uvloop.run(measure(url, args.calls, args.rounds))
    rows = "  ".join(f"{f:.0f}" for f in figures)
    print(f"GET_NUMBER through AgentClient: µs client CPU per call, each round: {rows}")
    print(f"best {min(figures):.0f} µs, median {sorted(figures)[len(figures) // 2]:.0f} µs")


if __name__ == "__main__":
    main()

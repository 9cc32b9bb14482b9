"""CPU per rental for a buyer with a long history of the service it rents ÷ for a new buyer.

    python bench/getnum_history.py [--history-rows 50000] [--rentals 300] [--database-url URL]

Seeds the accounts bench/speed.py seeds, in a fresh SQLite file or in --database-url
(PostgreSQL: an empty database it may fill), and gives one of them --history-rows finished
rentals one minute apart, the newest an hour old, over five services, each on a number of its
own (so with the default, about 8,600 numbers of the rented service in the 30-day repeat
window). bench/fast_agent.py answers the agent calls from its own process. Then, alternating
(new buyer, long history, new buyer, long history), each buyer rents --rentals numbers one
after another through the hub's ASGI app called in-process (getNum, then setOperationOk), and
the script prints ms of this process's CPU per rental and the ratio of the two. Every getNum
tells the agent the numbers the buyer used for the service (exceptionPhoneSet), so this is
what a buyer's history costs each of its rentals. Run it with an older `src` first on
PYTHONPATH to compare.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import uvloop

import speed
from app_cpu import receive, scope
from simgate.core.settings import Settings
from simgate.hub.app import create_app
from simgate.hub.context import HubContext


class Rentals:
    """getNum then setOperationOk for one buyer, straight through the app."""

    def __init__(self, app: Any, key: str) -> None:
        self.app, self.key = app, key
        self.body = b""

    async def send(self, message: dict[str, Any]) -> None:
        if message["type"] == "http.response.body":
            self.body = message.get("body", b"")

    async def call(self, path: str, query: str) -> dict[str, Any]:
        await self.app(scope(path, query), receive, self.send)
        answer: dict[str, Any] = json.loads(self.body)
        return answer

    async def rent(self) -> None:
        got = await self.call("/api/getNum.php", f"apikey={self.key}&service=vk")
        if "tzid" not in got:
            raise RuntimeError(f"getNum answered {got}")
        await self.call("/api/setOperationOk.php", f"apikey={self.key}&tzid={got['tzid']}")
        await asyncio.sleep(0)  # a pass of the loop, as a server gives each request

    async def cpu_ms(self, count: int) -> float:
        started = time.process_time()
        for _ in range(count):
            await self.rent()
        return (time.process_time() - started) / count * 1000


async def measure(url: str, data_dir: str, history: int, rentals: int) -> None:
    settings = Settings(database_url=url, data_dir=Path(data_dir))
    port = speed.free_port()
    with speed.running(speed.uvicorn_app("fast_agent:app", port), port, {}):
        data = await speed.seed(settings, f"http://127.0.0.1:{port}/")
        took = await speed.seed_history(url, [(data.long_history[1], history)])
        print(f"  seeded {history:,} finished rentals in {took:.0f} s", flush=True)
        ctx = HubContext.create(settings)
        await ctx.db.start_feed()  # as `simgate serve` does: the memories are used meanwhile
        app = create_app(ctx)
        new, old = Rentals(app, data.buyers[0]), Rentals(app, data.long_history[0])
        try:
            for buyer in (new, old):
                await buyer.cpu_ms(30)  # warm: imports, memories, pooled connections
            runs = [(name, await buyer.cpu_ms(rentals)) for _ in range(2) for name, buyer in
                    (("new buyer", new), ("long history", old))]  # fmt: skip
        finally:
            await ctx.close()
    for name, ms in runs:
        print(f"  {name}: {ms:.2f} ms CPU per rental", flush=True)
    new_ms = sum(ms for name, ms in runs if name == "new buyer") / 2
    old_ms = sum(ms for name, ms in runs if name == "long history") / 2
    print(f"  long history ÷ new buyer: {old_ms / new_ms:.2f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--history-rows", type=int, default=50_000)
    parser.add_argument("--rentals", type=int, default=300)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite+aiosqlite:///{tmp}/bench.db"
        print(f"[{url.split(':', 1)[0]}]", flush=True)
        uvloop.run(measure(url, tmp, args.history_rows, args.rentals))


if __name__ == "__main__":
    main()

"""CPU time per buyer request through the hub's ASGI app, called in-process (no sockets, no
server): the cost of simgate's own HTTP path — routing, parameters, authentication, the
handler, the request log and metrics — apart from uvicorn's and from a loaded machine's noise.

    python bench/app_cpu.py [--requests 5000] [--database-url URL]

Seeds the accounts bench/speed.py seeds (a buyer with one open rental) in a fresh SQLite file,
or in --database-url (PostgreSQL: an empty database it may fill), then calls the app with the
same GET requests wrk sends and prints µs of process CPU per request. The request log is on,
at INFO, written to /dev/null, as `simgate serve` writes it (to stderr). Run it with an older
`src` first on PYTHONPATH to compare.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import uvloop

import speed
from simgate.core import logs
from simgate.core.settings import Settings
from simgate.hub.app import create_app
from simgate.hub.context import HubContext

RECEIVE_NOTHING = {"type": "http.request", "body": b"", "more_body": False}


def scope(path: str, query: str) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": query.encode(),
        "headers": [(b"host", b"127.0.0.1:8080")],
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8080),
    }


async def receive() -> dict[str, Any]:
    return RECEIVE_NOTHING


async def send(_message: Any) -> None:
    return None


async def measure(url: str, data_dir: str, requests: int) -> None:
    settings = Settings(database_url=url, data_dir=Path(data_dir))
    data = await speed.seed(settings, "http://127.0.0.1:9/")  # no agent is called
    ctx = HubContext.create(settings)
    # As `simgate serve` does before its first request: the memories are used only while the
    # change feed listens (without it every read would go to the database).
    await ctx.db.start_feed()
    app = create_app(ctx)
    key = data.poller
    targets = [
        ("/health", "/health", ""),
        ("getState (cached)", "/api/getState.php", f"apikey={key}"),
        ("getBalance", "/api/getBalance.php", f"apikey={key}"),
        ("sms-activate getBalance", "/stubs/handler_api.php", f"api_key={key}&action=getBalance"),
        ("getNumbersStats", "/api/getNumbersStats.php", f"apikey={key}&country=7"),
        ("getServiceList", "/api/getServiceList.php", f"apikey={key}"),
        ("unknown method", "/api/noSuchMethod.php", f"apikey={key}"),
    ]
    try:
        for name, path, query in targets:
            for _ in range(200):  # warm: imports, the key and state memories, pooled connections
                await app(scope(path, query), receive, send)
            started = time.process_time()
            for _ in range(requests):
                await app(scope(path, query), receive, send)
                # A pass of the event loop per request, as a server gives each its own task:
                # what the hub does once per pass is paid here once per request (its most).
                await asyncio.sleep(0)
            per_request = (time.process_time() - started) / requests * 1e6
            print(f"  {name}: {per_request:.1f} µs CPU per request", flush=True)
    finally:
        await ctx.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    logs.configure(logging.INFO)
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(open(os.devnull, "w"))  # noqa: SIM115 (open until exit)
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite+aiosqlite:///{tmp}/bench.db"
        print(f"[{url.split(':', 1)[0]}]", flush=True)
        uvloop.run(measure(url, tmp, args.requests))  # the loop `simgate serve` runs on


if __name__ == "__main__":
    main()

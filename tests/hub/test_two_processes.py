"""Two `simgate serve` processes on one database: what one commits, the other answers at once
from its memory (SQLite looks at its signal before each cached read: exact), or as soon as
PostgreSQL delivers the NOTIFY (milliseconds). Their memories live an hour here, so only the
change feed can make a change visible."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx

from tests.hub.conftest import Hub
from tests.hub.test_serve_workers import free_port

EXE = str(Path(sys.executable).with_name("simgate"))
MEMORY = {"SIMGATE_STATE_CACHE_SECONDS": "3600", "SIMGATE_READ_CACHE_SECONDS": "3600"}
# PostgreSQL only: how many times B is asked before the change must have reached it. Each
# try yields to the event loop for a millisecond; a lost NOTIFY runs them all out.
PG_TRIES = 2000


@asynccontextmanager
async def serving(database_url: str, data_dir: Path) -> AsyncIterator[str]:
    port = free_port()
    proc = await asyncio.create_subprocess_exec(
        EXE,
        *("serve", "--no-worker", "--workers", "1", "--port", str(port)),
        *("--database-url", database_url),
        env={**os.environ, **MEMORY, "SIMGATE_DATA_DIR": str(data_dir)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        line = await asyncio.wait_for(proc.stdout.readline(), 120)
        assert b"listening" in line, line
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.send_signal(signal.SIGTERM)
        _out, err = await proc.communicate()
        assert b"Traceback" not in err, err.decode()


class Side:
    def __init__(self, client: httpx.AsyncClient, url: str, key: str) -> None:
        self.client, self.url, self.key = client, url, key

    async def api(self, method: str, **params: Any) -> Any:
        reply = await self.client.get(
            f"{self.url}/api/{method}.php", params={"apikey": self.key, **params}
        )
        return reply.json()


async def seen(read: Callable[[], Awaitable[Any]], wanted: Callable[[Any], bool], pg: bool) -> Any:
    """What `read` answers once it shows the change: at the first read on SQLite."""
    answer = await read()
    for _ in range(PG_TRIES if pg else 0):
        if wanted(answer):
            break
        await asyncio.sleep(0.001)
        answer = await read()
    assert wanted(answer), answer
    return answer


def vk_count(stats: Any) -> int:
    return int(stats["services"]["service_VKcom"]["count"])


async def test_a_commit_through_one_process_is_answered_by_the_other(
    hub: Hub, buyer: str, connect_agent, database_url: str, tmp_path: Path
):
    agent = await connect_agent()
    pg = not hub.ctx.db.is_sqlite
    async with (
        serving(database_url, tmp_path) as url_a,
        serving(database_url, tmp_path) as url_b,
        httpx.AsyncClient(trust_env=False, timeout=120) as client,  # a loaded CI box
    ):
        a, b = Side(client, url_a, buyer), Side(client, url_b, buyer)
        rented = await a.api("getNum", service="vk", number=1)
        tzid, phone = rented["tzid"], int(rented["number"].lstrip("+"))
        # B reads everything once, so each answer below would come from its memory.
        assert (await b.api("getState", tzid=tzid))[0]["msg"] is False
        balance = (await b.api("getBalance"))["balance"]
        stock = vk_count(await b.api("getNumbersStats", country=7))

        push = {"action": "PUSH_SMS", "smsId": 1, "phone": phone, "phoneFrom": "VK"}
        reply = await client.post(
            f"{url_a}/push_sms_webhook", json={**push, "text": "VK: 4321", "key": agent.key}
        )
        assert reply.json()["status"] == "SUCCESS"
        await seen(
            lambda: b.api("getState", tzid=tzid, message_to_code=1),
            lambda s: s[0]["msg"] == "4321",
            pg,
        )

        assert (await a.api("getNum", service="vk"))["response"] == 1
        await seen(lambda: b.api("getBalance"), lambda r: r["balance"] != balance, pg)
        await seen(
            lambda: b.api("getNumbersStats", country=7), lambda s: vk_count(s) == stock - 1, pg
        )

        assert (await a.api("setOperationOk", tzid=tzid))["response"] == 1
        await seen(
            lambda: b.api("getState", tzid=tzid), lambda s: s[0]["response"] == "TZ_OVER_OK", pg
        )

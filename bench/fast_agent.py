"""An agent that never runs out and answers at once: what the hub costs per rental, with the
agent's own time taken out (bench/speed.py, the getNum rows).

    uvicorn --app-dir bench fast_agent:app --loop uvloop --http httptools

Speaks the agent protocol (spec/smshub-agent-protocol-onlinesim.txt) with the key
`bench-agent` (or SIMGATE_BENCH_AGENT_KEY): GET_SERVICES shows a stock that never ends,
GET_NUMBER hands out a new number every time (so no exclusion list can refuse it),
FINISH_ACTIVATION is acknowledged.
With SIMGATE_BENCH_AGENT_DELAY_MS set, every answer comes that many milliseconds late, as from
an agent across the internet (bench/finish_drain.py).
"""

from __future__ import annotations

import asyncio
import itertools
import os
from collections.abc import Awaitable, Callable
from typing import Any

import orjson

KEY = os.environ.get("SIMGATE_BENCH_AGENT_KEY", "bench-agent")  # each agent its own
STOCK = 10**9
SERVICES = {
    "status": "SUCCESS",
    "countryList": [
        {"country": "russia", "operatorMap": {"any": {"vk": STOCK, "wa": STOCK, "tg": STOCK}}}
    ],
}
_ids = itertools.count(1)
DELAY_SECONDS = float(os.environ.get("SIMGATE_BENCH_AGENT_DELAY_MS", "0")) / 1000

Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


def answer(body: dict[str, Any]) -> dict[str, Any]:
    if body.get("key") != KEY:
        return {"status": "ERROR", "error": "BAD_KEY"}
    action = body.get("action")
    if action == "GET_SERVICES":
        return SERVICES
    if action == "GET_NUMBER":
        n = next(_ids)
        return {"status": "SUCCESS", "number": 79_100_000_000 + n, "activationId": n}
    if action == "FINISH_ACTIVATION":
        return {"status": "SUCCESS"}
    return {"status": "ERROR", "error": "UNKNOWN_ACTION"}


async def app(scope: dict[str, Any], receive: Receive, send: Send) -> None:
    if scope["type"] != "http":
        return
    raw = b""
    while True:
        message = await receive()
        raw += message.get("body", b"")
        if not message.get("more_body"):
            break
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        body = {}
    reply = orjson.dumps(answer(body if isinstance(body, dict) else {}))
    if DELAY_SECONDS:
        await asyncio.sleep(DELAY_SECONDS)
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(reply))]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": reply})

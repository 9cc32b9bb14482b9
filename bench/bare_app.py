"""The reference for bench/speed.py: the least a Python ASGI server can do per request.

    uvicorn --app-dir bench bare_app:app --loop uvloop --http httptools

Every request gets the same small JSON list, about the size of a getState answer.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

BODY = b'[{"id":1,"name":"one"},{"id":2,"name":"two"},{"id":3,"name":"three"}]'
START = {
    "type": "http.response.start",
    "status": 200,
    "headers": [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(BODY))],
}
RESPONSE = {"type": "http.response.body", "body": BODY}

Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


async def app(scope: dict[str, Any], _receive: Receive, send: Send) -> None:
    if scope["type"] != "http":
        return
    await send(START)
    await send(RESPONSE)

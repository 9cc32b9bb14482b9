"""A ceiling on request bodies, enforced while they stream in.

Handlers read bodies whole (`request.body()`, `request.form()`), so without a ceiling a
client decides how much memory the process spends. The middleware counts the bytes as the
server hands them over and raises `BodyTooLarge` from `receive` once the count passes the
limit, so no handler ever holds more than the limit. A declared Content-Length past the
limit is refused before a byte is read. Handlers that speak a dialect catch `BodyTooLarge`
and answer in its words; anything that does not gets a plain 413 here.
"""

from __future__ import annotations

from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from simgate.core import jsonutil

DEFAULT_MAX_BODY_BYTES = 1 << 20


class BodyTooLarge(Exception):
    """The request body is longer than the configured limit."""


def declared_length(scope: Scope) -> int | None:
    """The request's Content-Length, when it is a plain count of ASCII digits."""
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isascii() and text.isdigit() else None
    return None


class BodyLimit:
    """ASGI middleware: at most `max_bytes` of request body reach the app."""

    def __init__(self, app: ASGIApp, max_bytes: int = DEFAULT_MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = declared_length(scope)
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            if declared is not None and declared > self.max_bytes:
                raise BodyTooLarge(f"declared {declared} bytes")
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(f"more than {self.max_bytes} bytes")
            return message

        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if started:
                raise
            await _refuse(send)


async def _refuse(send: Send) -> None:
    body: Any = jsonutil.dumps({"error": "body too large"})
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", b"%d" % len(body)),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})

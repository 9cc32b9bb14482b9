"""A buyer dialect as a bare ASGI endpoint: its dispatcher's answer, written to the wire."""

from __future__ import annotations

from collections.abc import Sequence

from starlette.types import Receive, Scope, Send

from simgate.dialects.common.dispatch import Answer, Dispatcher
from simgate.dialects.common.reading import ClientGone

Headers = Sequence[tuple[bytes, bytes]]
# The status the request log gives an answer never sent: its client left first (nginx's word).
CLIENT_GONE = 499


async def send_answer(send: Send, answer: Answer, headers: Headers = ()) -> int:
    """HTTP 200 with the answer's body and type (the dialects answer refusals with 200 too),
    and `headers` after those two; the status sent."""
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", answer.content_type),
                (b"content-length", b"%d" % len(answer.body)),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": answer.body})
    return 200


async def serve(
    dispatcher: Dispatcher,
    scope: Scope,
    receive: Receive,
    send: Send,
    name: str = "",
    headers: Headers = (),
) -> int:
    """Answer one request; `name`: the method named by the path, for dialects that do so.
    The status sent, CLIENT_GONE when there was nobody left to answer."""
    try:
        answer = await dispatcher.answer(scope, receive, name)
    except ClientGone:
        return CLIENT_GONE
    return await send_answer(send, answer, headers)


class Endpoint:
    """The dispatcher as a route's ASGI app (Starlette passes a non-function endpoint the raw
    scope); the method name, if any, is the route's `name` path parameter."""

    def __init__(self, dispatcher: Dispatcher) -> None:
        self.dispatcher = dispatcher

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        name = scope.get("path_params", {}).get("name", "")
        await serve(self.dispatcher, scope, receive, send, name)

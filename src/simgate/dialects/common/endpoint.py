"""A buyer dialect as a bare ASGI endpoint: its dispatcher's answer, written to the wire."""

from __future__ import annotations

from starlette.types import Receive, Scope, Send

from simgate.dialects.common.dispatch import Answer, Dispatcher
from simgate.dialects.common.reading import ClientGone


async def send_answer(send: Send, answer: Answer) -> None:
    """HTTP 200 with the answer's body and type (the dialects answer refusals with 200 too)."""
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", answer.content_type),
                (b"content-length", b"%d" % len(answer.body)),
            ],
        }
    )
    await send({"type": "http.response.body", "body": answer.body})


async def serve(
    dispatcher: Dispatcher, scope: Scope, receive: Receive, send: Send, name: str = ""
) -> None:
    """Answer one request; `name`: the method named by the path, for dialects that do so."""
    try:
        answer = await dispatcher.answer(scope, receive, name)
    except ClientGone:
        return  # nobody to answer
    await send_answer(send, answer)


class Endpoint:
    """The dispatcher as a route's ASGI app (Starlette passes a non-function endpoint the raw
    scope); the method name, if any, is the route's `name` path parameter."""

    def __init__(self, dispatcher: Dispatcher) -> None:
        self.dispatcher = dispatcher

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        name = scope.get("path_params", {}).get("name", "")
        await serve(self.dispatcher, scope, receive, send, name)

"""The buyer endpoints dispatched without the framework: a plain ASGI app in front of it.

Buyers poll: getState, getStatus and getBalance arrive many times a second per client, and
on them the framework's per-request work (matching every route's pattern in turn, resolving
dependencies, its middleware stack) cost more than the answer itself. Here the hot paths are
matched with a dict lookup and string slicing and handed to the same dispatchers the
framework's routes use; every other request, and every other method on these paths (HEAD,
and the 405 of a PUT), goes to the framework unchanged.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.types import ASGIApp, Receive, Scope, Send

from simgate.dialects.common.dispatch import Answer, Dispatcher
from simgate.dialects.common.endpoint import send_answer, serve

Served = Callable[[Scope, Receive, Send, str], Awaitable[None]]

HEALTHY = Answer(b'{"status":"ok"}', b"application/json")
SERVED_METHODS = ("GET", "POST")  # the buyer routes' own; HEAD and the rest: the framework


class FastPath:
    """`/api/<method>.php`, `/demo/api/<method>.php`, the sms-activate handler paths and
    `/health`, answered directly; anything else passed to `framework`."""

    def __init__(
        self,
        framework: ASGIApp,
        onlinesim: Dispatcher,
        smsactivate: Dispatcher,
        smsactivate_paths: tuple[str, ...],
        sandbox: Served,
    ) -> None:
        self.framework = framework
        self.onlinesim = onlinesim
        self.smsactivate = smsactivate
        self.sandbox = sandbox
        self.exact = frozenset(smsactivate_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in SERVED_METHODS:
            path: str = scope["path"]
            if path in self.exact:
                await serve(self.smsactivate, scope, receive, send)
                return
            if path.endswith(".php"):
                if path.startswith("/api/") and _plain(name := path[5:-4]):
                    await serve(self.onlinesim, scope, receive, send, name)
                    return
                if path.startswith("/demo/api/") and _plain(name := path[10:-4]):
                    await self.sandbox(scope, receive, send, name)
                    return
            elif path == "/health" and scope["method"] == "GET":
                await send_answer(send, HEALTHY)
                return
        await self.framework(scope, receive, send)


def _plain(name: str) -> bool:
    """What the framework's `{name}` matches: one path segment, not empty."""
    return bool(name) and "/" not in name

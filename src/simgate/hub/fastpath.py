"""The buyer endpoints dispatched without the framework: a plain ASGI app in front of it.

Buyers poll: getState, getStatus and getBalance arrive many times a second per client, and
on them the framework's per-request work (matching every route's pattern in turn, resolving
dependencies, its middleware stack) cost more than the answer itself. Here the hot paths are
matched with a dict lookup and string slicing and handed to the same dispatchers the
framework's routes use; every other request, and every other method on these paths (HEAD,
and the 405 of a PUT), is left to the framework (the request observer hands it over).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.types import Receive, Scope, Send

from simgate.dialects.common.dispatch import Answer, Dispatcher
from simgate.dialects.common.endpoint import Headers, send_answer, serve

Served = Callable[[Scope, Receive, Send, str, Headers], Awaitable[int]]

HEALTHY = Answer(b'{"status":"ok"}', b"application/json")
SERVED_METHODS = ("GET", "POST")  # the buyer routes' own; HEAD and the rest: the framework


class FastPath:
    """`/api/<method>.php`, `/demo/api/<method>.php`, the sms-activate handler paths and
    `/health`, answered directly; anything else is not taken."""

    def __init__(
        self,
        onlinesim: Dispatcher,
        smsactivate: Dispatcher,
        smsactivate_paths: tuple[str, ...],
        sandbox: Served,
    ) -> None:
        self.onlinesim = onlinesim
        self.smsactivate = smsactivate
        self.sandbox = sandbox
        self.exact = frozenset(smsactivate_paths)

    async def __call__(
        self, scope: Scope, receive: Receive, send: Send, headers: Headers
    ) -> int | None:
        """The status sent, with `headers` added, for a request taken (CLIENT_GONE: none was
        sent); None for a request not taken, left untouched: nothing read, nothing sent."""
        if scope["type"] == "http" and scope["method"] in SERVED_METHODS:
            path: str = scope["path"]
            if path in self.exact:
                return await serve(self.smsactivate, scope, receive, send, "", headers)
            if path.endswith(".php"):
                if path.startswith("/api/") and _plain(name := path[5:-4]):
                    return await serve(self.onlinesim, scope, receive, send, name, headers)
                if path.startswith("/demo/api/") and _plain(name := path[10:-4]):
                    return await self.sandbox(scope, receive, send, name, headers)
            elif path == "/health" and scope["method"] == "GET":
                return await send_answer(send, HEALTHY, headers)
        return None


def _plain(name: str) -> bool:
    """What the framework's `{name}` matches: one path segment, not empty."""
    return bool(name) and "/" not in name

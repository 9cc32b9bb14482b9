"""The agent's HTTP endpoint: one URL, POST JSON, `action` picks GET_SERVICES, GET_NUMBER or
FINISH_ACTIVATION. Every answer is HTTP 200 with a JSON status, errors included."""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from simgate.agent import protocol
from simgate.agent.config import AgentConfig
from simgate.agent.forwarding import ForwardingDesk
from simgate.agent.protocol import ProtocolError
from simgate.agent.stock import Allocation, FinishResult
from simgate.agent.store import AgentStore
from simgate.core.bodylimit import BodyLimit, BodyTooLarge

log = logging.getLogger("simgate.agent.server")

AllocationHook = Callable[[Allocation], None]


class AgentProtocol:
    """Answers one decoded request; knows nothing of HTTP."""

    def __init__(
        self, config: AgentConfig, store: AgentStore, on_allocated: AllocationHook | None = None
    ) -> None:
        self.config = config
        self.store = store
        self.on_allocated = on_allocated
        self.forwarding = ForwardingDesk(store)  # simgate's FORWARD_* extension
        self._key = config.key.encode()

    async def answer(self, body: dict[str, Any]) -> dict[str, Any]:
        """The reply for one request body."""
        key = body.get("key")
        if not isinstance(key, str) or not hmac.compare_digest(key.encode(), self._key):
            return protocol.error("BAD_KEY")
        action = body.get("action")
        handlers: dict[str, Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]] = {
            "GET_SERVICES": self.get_services,
            "GET_NUMBER": self.get_number,
            "FINISH_ACTIVATION": self.finish_activation,
            **self.forwarding.handlers(),
        }
        handler = handlers.get(action) if isinstance(action, str) else None
        if handler is None:
            return protocol.error("BAD_ACTION")
        try:
            return await handler(body)
        except ProtocolError as exc:
            return protocol.error(str(exc))

    async def get_services(self, body: dict[str, Any]) -> dict[str, Any]:
        """GET_SERVICES: what can be sold right now."""
        return protocol.services_reply(await self.store.stock(self.config.services))

    async def get_number(self, body: dict[str, Any]) -> dict[str, Any]:
        """GET_NUMBER: open an activation on a free SIM, or NO_NUMBERS."""
        request = protocol.parse_get_number(body, self.config.currency)
        if request.service not in self.config.services:
            return {"status": "NO_NUMBERS"}
        allocation = await self.store.allocate(request, self.config.activation_lifetime_seconds)
        if allocation is None:
            return {"status": "NO_NUMBERS"}
        log.info(
            "activation %s: %s for %s (sum %s)",
            allocation.activation_id, allocation.phone, request.service, request.sum,
        )  # fmt: skip
        if self.on_allocated is not None:
            self.on_allocated(allocation)
        return {
            "status": "SUCCESS",
            "number": allocation.phone,
            "activationId": allocation.activation_id,
        }

    async def finish_activation(self, body: dict[str, Any]) -> dict[str, Any]:
        """FINISH_ACTIVATION: idempotent; an unknown id is an error."""
        activation_id, status = protocol.parse_finish(body)
        result = await self.store.finish(activation_id, status)
        if result is FinishResult.NOT_FOUND:
            return protocol.error("NO_ACTIVATION")
        return {"status": "SUCCESS"}


def create_app(handler: AgentProtocol) -> Starlette:
    """The Starlette app serving the protocol on every configured path."""
    max_bytes = handler.config.max_body_bytes

    async def endpoint(request: Request) -> Response:
        gzip_ok = "gzip" in request.headers.get("accept-encoding", "").lower()
        try:
            reply = await _reply(request, handler, max_bytes)
        except BodyTooLarge:
            reply = protocol.error("BAD_REQUEST: body too large")
        except Exception:
            # The protocol has no 500: a bug still answers with a JSON status the hub can read.
            log.exception("agent request failed")
            reply = protocol.error("INTERNAL_ERROR")
        body, headers = protocol.encode_reply(reply, gzip_ok)
        return Response(body, status_code=200, headers=headers)

    paths = handler.config.paths or ["/"]
    routes = [Route(path, endpoint, methods=["GET", "POST"]) for path in paths]
    return Starlette(routes=routes, middleware=[Middleware(BodyLimit, max_bytes=max_bytes)])


async def _reply(request: Request, handler: AgentProtocol, max_bytes: int) -> dict[str, Any]:
    try:
        if request.method == "GET":
            body: dict[str, Any] = dict(request.query_params)
        else:
            raw = await request.body()  # BodyLimit stops it past max_bytes
            encoding = request.headers.get("content-encoding", "")
            body = protocol.decode_body(raw, encoding, max_bytes)
    except ProtocolError as exc:
        return protocol.error(str(exc))
    return await handler.answer(body)

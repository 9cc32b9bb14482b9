"""A stand-in agent that also speaks simgate's FORWARD_* extension, for what the reference
agent never does on purpose: hold FORWARD_SET until a test lets it go, or report 0 minutes
whatever was paid."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from tests.hub.standin_agent import StandinAgent


@dataclass
class ForwardingStandin(StandinAgent):
    # Every FORWARD_* request in the order it finished, as (action, activationId).
    log: list[tuple[str, int]] = field(default_factory=list)
    forwards: dict[int, int] = field(default_factory=dict)  # activationId -> forward number
    top_ups: dict[int, int] = field(default_factory=dict)  # paymentId -> minutes
    # When set, FORWARD_SET waits for `release_set` after announcing itself on `set_started`.
    hold_set: bool = False
    set_started: asyncio.Event = field(default_factory=asyncio.Event)
    release_set: asyncio.Event = field(default_factory=asyncio.Event)

    async def handle(self, request: Request) -> Response:
        body = orjson.loads(await request.body())
        action = str(body.get("action", ""))
        if not action.startswith("FORWARD_") or body.get("key") != self.key:
            return await super().handle(_replay(request, body))
        reply = await self._forward(action, int(body["activationId"]), body)
        self.log.append((action, int(body["activationId"])))
        return self._json(reply)

    async def _forward(self, action: str, activation_id: int, body: dict[str, Any]) -> Any:
        if action == "FORWARD_SET":
            if self.hold_set:
                self.set_started.set()
                await self.release_set.wait()
            self.forwards[activation_id] = int(body["forwardNumber"])
            return {"status": "SUCCESS"}
        if action == "FORWARD_STATUS":
            number = self.forwards.get(activation_id)
            # Whatever was paid, the balance reads 0 minutes.
            return {
                "status": "SUCCESS", "active": number is not None, "forwardNumber": number,
                "minutes": 0, "balance": None,
            }  # fmt: skip
        if action == "FORWARD_TOP_UP":
            if activation_id not in self.forwards:
                return {"status": "ERROR", "error": "NOT_ACTIVE"}
            self.top_ups.setdefault(int(body["paymentId"]), int(body["minutes"]))
            return {"status": "SUCCESS", "minutes": 0}
        self.forwards.pop(activation_id, None)  # FORWARD_CANCEL
        return {"status": "SUCCESS"}

    def actions(self, name: str) -> list[int]:
        return [activation_id for action, activation_id in self.log if action == name]


def _replay(request: Request, body: dict[str, Any]) -> Request:
    """The request again, its body already read (Starlette reads a body once)."""
    raw = orjson.dumps(body)

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": raw, "more_body": False}

    return Request(request.scope, receive)

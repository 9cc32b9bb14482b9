"""A scriptable agent speaking the real SMSHUB protocol over HTTP, for cases the reference
agent never produces on purpose: hanging, garbage, HTTP 500, lying stock."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


@dataclass
class StandinAgent:
    key: str = "agent-key"
    mode: str = "ok"  # ok | hang | garbage | http500 | no_numbers | error
    numbers: list[int] = field(default_factory=lambda: [79000000000 + i for i in range(1, 200)])
    stock: dict[str, int] = field(default_factory=lambda: {"vk": 50, "wa": 50, "tg": 50, "ot": 50})
    finishes: list[tuple[int, int]] = field(default_factory=list)
    get_number_calls: list[dict[str, Any]] = field(default_factory=list)
    finish_mode: str = "ok"  # ok | http500 | hang
    services_mode: str = "ok"  # ok | hang (GET_SERVICES)
    services_answered: int = 0
    # A strict agent answers ERROR BAD_REQUEST to exception prefixes it will not honour:
    # non-digits, or prefixes shorter than `min_prefix_digits` (they exclude whole countries).
    strict: bool = False
    min_prefix_digits: int = 1
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1000))
    handed: dict[int, int] = field(default_factory=dict)  # activationId -> number
    request_ids: list[str | None] = field(default_factory=list)  # X-Request-Id of each call
    hanging: int = 0  # GET_NUMBER calls a hanging agent has not answered yet
    # Set at each call heard or answered, so a test waits for what it expects, not polling.
    _progress: asyncio.Event = field(default_factory=asyncio.Event)

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/", self.handle, methods=["POST"])])

    async def handle(self, request: Request) -> Response:
        body = orjson.loads(await request.body())
        self.request_ids.append(request.headers.get("x-request-id"))
        if body.get("key") != self.key:
            return self._json({"status": "ERROR", "error": "BAD_KEY"})
        action = body.get("action")
        if action == "GET_SERVICES":
            if self.services_mode == "hang":
                await asyncio.sleep(30)  # past any deadline of the hub's
            self.services_answered += 1
            self._progress.set()
            return self._json(
                {
                    "status": "SUCCESS",
                    "countryList": [{"country": "russia", "operatorMap": {"any": self.stock}}],
                }
            )
        if action == "FINISH_ACTIVATION":
            if self.finish_mode == "http500":
                return Response("boom", status_code=500)
            if self.finish_mode == "hang":
                await asyncio.sleep(30)  # past any deadline of the hub's
            self.finishes.append((body["activationId"], body["status"]))
            self._progress.set()
            return self._json({"status": "SUCCESS"})
        if action == "GET_NUMBER":
            return await self._get_number(body)
        return self._json({"status": "ERROR", "error": "UNKNOWN_ACTION"})

    async def _get_number(self, body: dict[str, Any]) -> Response:
        self.get_number_calls.append(body)
        self._progress.set()  # heard, at least: see `asked_for_numbers`
        if self.mode == "hang":
            self.hanging += 1
            try:
                await asyncio.sleep(30)
            finally:
                self.hanging -= 1
        if self.mode == "garbage":
            return Response(b"<html>not json", media_type="text/html")
        if self.mode == "http500":
            return Response("internal error", status_code=500)
        if self.mode == "error":
            return self._json({"status": "ERROR", "error": "SOMETHING"})
        excluded = [str(p) for p in body.get("exceptionPhoneSet", [])]
        if self.strict and any(
            not p.isdigit() or len(p) < self.min_prefix_digits for p in excluded
        ):
            return self._json({"status": "ERROR", "error": "BAD_REQUEST"})
        wanted = body.get("number")
        for number in self.numbers:
            busy = number in self.handed.values()
            if busy or any(str(number).startswith(p) for p in excluded):
                continue
            if wanted is not None and number != wanted:
                continue
            if self.mode == "no_numbers":
                break
            activation_id = next(self._ids)
            self.handed[activation_id] = number
            return self._json(
                {"status": "SUCCESS", "number": number, "activationId": activation_id}
            )
        return self._json({"status": "NO_NUMBERS"})

    async def finished(self, count: int) -> None:
        """Return once `count` FINISH_ACTIVATION calls have been answered SUCCESS."""
        await self._until(lambda: len(self.finishes) >= count)

    async def asked_for_numbers(self, count: int) -> None:
        """Return once `count` GET_NUMBER calls have come in (answered or not)."""
        await self._until(lambda: len(self.get_number_calls) >= count)

    async def services_sent(self, count: int) -> None:
        """Return once `count` GET_SERVICES calls have been answered."""
        await self._until(lambda: self.services_answered >= count)

    async def _until(self, reached: Callable[[], bool]) -> None:
        while not reached():
            self._progress.clear()
            await self._progress.wait()

    def release(self, activation_id: int) -> None:
        self.handed.pop(activation_id, None)

    @staticmethod
    def _json(body: dict[str, Any]) -> Response:
        return Response(orjson.dumps(body), media_type="application/json")

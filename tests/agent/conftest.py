"""Fixtures for the reference agent: configs, a running agent, a fake hub and a strict
protocol client."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import gzip
import socket
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from simgate.agent.config import AgentConfig
from simgate.agent.runtime import AgentRuntime
from simgate.core.clock import FrozenClock

KEY = "test-agent-key"
START = dt.datetime(2025, 3, 1, 12, 0, 0)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def make_config(tmp_path: Path) -> Callable[..., AgentConfig]:
    def make(**overrides: Any) -> AgentConfig:
        fields: dict[str, Any] = {
            "key": KEY,
            "port": 0,
            "data_dir": tmp_path / "agent",
            "simulate": 10,
            "sim_sms_delay_seconds": 1.0,
            "tick_seconds": 0.02,
            "push_timeout_seconds": 2.0,
            "hub_url": "",
        }
        fields.update(overrides)
        return AgentConfig(**fields)

    return make


@pytest.fixture
async def agent(
    make_config: Callable[..., AgentConfig], clock: FrozenClock
) -> AsyncIterator[AgentRuntime]:
    async with AgentRuntime(make_config(), clock) as runtime:
        yield runtime


async def _eventually(check: Callable[[], Any], within: float = 5.0) -> Any:
    deadline = time.monotonic() + within
    while True:
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {within} s")
        await asyncio.sleep(0.02)


@pytest.fixture
def eventually() -> Callable[..., Awaitable[Any]]:
    """Wait (briefly, in real time) until check() is truthy."""
    return _eventually


# --- strict protocol client -------------------------------------------------------------


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class ProtocolClient:
    """Speaks to the agent like a strict hub and checks every reply against the protocol."""

    def __init__(self, url: str, key: str = KEY, *, use_gzip: bool = True) -> None:
        self.url = url
        self.key = key
        self.use_gzip = use_gzip
        self.http = httpx.AsyncClient(timeout=5.0, headers={"User-Agent": "strict-hub/1"})
        self.slowest = 0.0

    async def raw(self, content: bytes, headers: dict[str, str] | None = None) -> httpx.Response:
        started = time.perf_counter()
        response = await self.http.post(self.url, content=content, headers=headers or {})
        elapsed = time.perf_counter() - started
        self.slowest = max(self.slowest, elapsed)
        assert elapsed < 3.0, "the agent must answer within 3 seconds"
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("application/json")
        return response

    async def call(self, body: dict[str, Any]) -> dict[str, Any]:
        payload = orjson.dumps({"key": self.key, **body})
        headers = {"Content-Type": "application/json"}
        if self.use_gzip:
            payload = gzip.compress(payload)
            headers |= {"Content-Encoding": "gzip", "Accept-Encoding": "gzip"}
        response = await self.raw(payload, headers)
        if self.use_gzip:
            assert response.headers.get("content-encoding") == "gzip"
        reply = response.json()
        assert isinstance(reply, dict)
        assert reply["status"] in {"SUCCESS", "ERROR", "NO_NUMBERS"}
        if reply["status"] == "ERROR":
            assert isinstance(reply["error"], str) and reply["error"]
        return reply

    async def get_services(self) -> dict[str, dict[str, dict[str, int]]]:
        reply = await self.call({"action": "GET_SERVICES"})
        assert reply["status"] == "SUCCESS", reply
        stock: dict[str, dict[str, dict[str, int]]] = {}
        for entry in reply["countryList"]:
            assert isinstance(entry["country"], str)
            for operator, services in entry["operatorMap"].items():
                assert isinstance(operator, str)
                for service, count in services.items():
                    assert isinstance(service, str) and _is_int(count) and count >= 0
            stock[entry["country"]] = entry["operatorMap"]
        return stock

    async def get_number(self, service: str = "vk", **fields: Any) -> dict[str, Any]:
        body = {"action": "GET_NUMBER", "country": "russia", "operator": "any",
                "service": service, "sum": 12.5, "currency": 643, **fields}  # fmt: skip
        reply = await self.call(body)
        if reply["status"] == "SUCCESS":
            assert set(reply) == {"status", "number", "activationId"}
            assert _is_int(reply["number"]) and _is_int(reply["activationId"])
            assert str(reply["number"]).startswith("7") and len(str(reply["number"])) == 11
        else:
            assert reply == {"status": "NO_NUMBERS"}, reply
        return reply

    async def finish(self, activation_id: int, status: int) -> dict[str, Any]:
        return await self.call(
            {"action": "FINISH_ACTIVATION", "activationId": activation_id, "status": status}
        )

    async def aclose(self) -> None:
        await self.http.aclose()


@pytest.fixture
async def client(agent: AgentRuntime) -> AsyncIterator[ProtocolClient]:
    protocol_client = ProtocolClient(agent.url)
    yield protocol_client
    await protocol_client.aclose()


def service_total(stock: dict[str, dict[str, dict[str, int]]], service: str) -> int:
    return sum(ops.get(service, 0) for country in stock.values() for ops in country.values())


@pytest.fixture
def total() -> Callable[[dict[str, dict[str, dict[str, int]]], str], int]:
    return service_total


# --- fake hub ---------------------------------------------------------------------------


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class FakeHub:
    """A PUSH_SMS receiver that stores each smsId once and answers as told. `pushes` counts
    every PUSH_SMS received per smsId, repeats included; after `hold()` requests are counted
    but left unanswered until `answer_held()`."""

    def __init__(self, key: str = KEY) -> None:
        self.key = key
        self.mode = "success"  # success | error | http500 | no_operation | error_no_operation
        self.attempts: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.stored: dict[int, dict[str, Any]] = {}
        self.pushes: Counter[int] = Counter()
        self.held: list[int] = []
        self._answering = asyncio.Event()
        self._answering.set()
        self.url = ""
        self._server: _Server | None = None
        self._task: asyncio.Task[None] | None = None

    async def endpoint(self, request: Request) -> Response:
        raw = await request.body()
        if request.headers.get("content-encoding") == "gzip":
            raw = gzip.decompress(raw)
        body = orjson.loads(raw)
        self.attempts.append(body)
        self.headers.append(dict(request.headers))
        self.pushes[body.get("smsId")] += 1
        if not self._answering.is_set():
            self.held.append(body.get("smsId"))
            await self._answering.wait()
        answers = {
            "error": {"status": "ERROR", "error": "TEMPORARY"},
            "no_operation": {"status": "NO_OPERATION"},
            "error_no_operation": {"status": "ERROR", "error": "NO_OPERATION"},
        }
        if self.mode == "http500":
            return Response("boom", status_code=500)
        if self.mode in answers:
            return JSONResponse(answers[self.mode])
        sms_id = body["smsId"]
        self.stored.setdefault(sms_id, body)  # a repeat of a stored smsId changes nothing
        return JSONResponse({"status": "SUCCESS"})

    def hold(self) -> None:
        """Receive pushes from now on but do not answer them (an answer that will be lost)."""
        self._answering.clear()

    def answer_held(self) -> None:
        """Answer the held pushes (SUCCESS, or as `mode` says) and every push from now on."""
        self._answering.set()

    async def start(self, port: int = 0) -> FakeHub:
        app = Starlette(routes=[Route("/push_sms_webhook", self.endpoint, methods=["POST"])])
        config = uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"
        )
        self._server = _Server(config)
        self._task = asyncio.create_task(self._server.serve())
        while not self._server.started:
            assert not self._task.done(), "fake hub could not start"
            await asyncio.sleep(0.01)
        bound = self._server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{bound}/push_sms_webhook"
        return self

    async def stop(self) -> None:
        self.answer_held()  # a held request would keep the server from shutting down
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            await self._task


@pytest.fixture
async def hub_factory() -> AsyncIterator[Callable[..., Awaitable[FakeHub]]]:
    hubs: list[FakeHub] = []

    async def start(port: int = 0) -> FakeHub:
        hub = await FakeHub().start(port)
        hubs.append(hub)
        return hub

    yield start
    for hub in hubs:
        await hub.stop()


@pytest.fixture
async def hub(hub_factory: Callable[..., Awaitable[FakeHub]]) -> FakeHub:
    return await hub_factory()


@pytest.fixture
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])

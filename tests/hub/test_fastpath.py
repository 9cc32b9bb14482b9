"""The buyer fast path (hub/fastpath.py): the same answers as the framework's own routes give,
buyer requests that never reach the framework, and everything else that still does."""

from __future__ import annotations

import gzip
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import orjson
import pytest
from starlette.types import Receive, Scope, Send

from simgate.hub.app import HubApp, create_app
from simgate.hub.observability import RequestObserver
from simgate.hub.server import running_server
from tests.hub.conftest import Hub


@dataclass
class Served:
    """The hub served twice on one context: whole, and its framework alone (no fast path)."""

    hub: str
    framework: str
    app: HubApp
    reached_framework: list[str]


@pytest.fixture
async def served(hub: Hub) -> AsyncIterator[Served]:
    app = create_app(hub.ctx)
    reached: list[str] = []
    observer = app.front
    assert isinstance(observer, RequestObserver)
    framework = observer.framework

    async def counting(scope: Scope, receive: Receive, send: Send) -> None:
        reached.append(scope["path"])
        await framework(scope, receive, send)

    async def framework_alone(scope: Scope, receive: Receive, send: Send) -> None:
        await app.framework(scope, receive, send)

    observer.framework = counting
    async with running_server(app) as whole, running_server(framework_alone) as bare:
        yield Served(whole, bare, app, reached)


def requests(key: str) -> list[tuple[str, str, dict[str, Any]]]:
    """(method, path, httpx options) of requests both ways must answer alike."""
    api, handler = "/api/getBalance.php", "/stubs/handler_api.php"
    return [
        ("GET", api, {"params": {"apikey": key}}),
        ("GET", api, {"params": {"apikey": key, "income": "maybe"}}),
        ("POST", api, {"data": {"apikey": key}}),
        ("POST", api, {"json": {"apikey": key}}),
        ("POST", api, {"headers": {"authorization": f"Bearer {key}"}}),
        ("POST", api, {"content": b"[1]", "headers": {"content-type": "application/json"}}),
        ("GET", api, {}),
        ("GET", api, {"params": {"apikey": "unknown"}}),
        ("GET", "/api/noSuchMethod.php", {}),
        ("GET", "/api/getState.php", {"params": {"apikey": key, "tzid": "x"}}),
        ("GET", handler, {"params": {"api_key": key, "action": "getBalance"}}),
        ("GET", "/handler_api.php", {"params": {"api_key": key, "action": "nope"}}),
        ("POST", handler, {"data": {"api_key": "unknown", "action": "getBalance"}}),
        ("GET", "/demo/api/getState.php", {"params": {"apikey": "any", "tzid": "5"}}),
        ("GET", "/demo/api/getNum.php", {}),
        ("GET", "/health", {}),
        ("HEAD", api, {"params": {"apikey": key}}),
        ("PUT", api, {"params": {"apikey": key}}),
        ("POST", "/health", {}),
        ("GET", "/api/rent/getRentNum.php", {}),  # two segments: not a method of /api/
        ("GET", "/api/.php", {}),
        ("GET", "/api/public.pem", {}),
    ]


def _comparable(response: httpx.Response) -> tuple[int, str | None, bytes]:
    return response.status_code, response.headers.get("content-type"), response.content


async def test_the_fast_path_answers_as_the_framework_does(served: Served, buyer: str) -> None:
    async with httpx.AsyncClient(trust_env=False, timeout=30) as client:
        for method, path, options in requests(buyer):
            fast = await client.request(method, served.hub + path, **options)
            framework = await client.request(method, served.framework + path, **options)
            assert _comparable(fast) == _comparable(framework), (method, path)
            assert fast.headers["x-request-id"]


async def test_buyer_requests_never_reach_the_framework(served: Served, buyer: str) -> None:
    async with httpx.AsyncClient(trust_env=False, timeout=30) as client:
        for method, path, options in requests(buyer):
            await client.request(method, served.hub + path, **options)
    assert served.reached_framework == [
        "/api/getBalance.php",  # HEAD
        "/api/getBalance.php",  # PUT: 405
        "/health",  # POST: 405
        "/api/rent/getRentNum.php",
        "/api/.php",
        "/api/public.pem",
    ]


async def test_a_gzip_body_is_read_within_the_limit(hub: Hub, buyer: str) -> None:
    headers = {"content-type": "application/json", "content-encoding": "gzip"}
    body = gzip.compress(orjson.dumps({"apikey": buyer}))
    reply = await hub.client.post(f"{hub.url}/api/getBalance.php", content=body, headers=headers)
    assert reply.json()["response"] == 1
    # Small on the wire, past the limit once inflated: refused in the dialect's word.
    bomb = gzip.compress(b" " * (hub.ctx.settings.max_body_bytes + 1))
    reply = await hub.client.post(f"{hub.url}/api/getBalance.php", content=bomb, headers=headers)
    assert reply.json() == {"response": "ERROR_PARAMS"}
    reply = await hub.client.post(
        f"{hub.url}/stubs/handler_api.php", content=b"not gzip", headers=headers
    )
    assert reply.text == "BAD_DATA"

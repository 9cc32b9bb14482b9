"""Fixtures of the outbound SMS tests: a hub context, a funded account that may send, the
delivery-api served on loopback with a signing client, and a real SMPP peer."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from simgate.accounts import service as accounts
from simgate.core import jsonutil
from simgate.core.clock import Clock, FrozenClock
from simgate.core.db import Database
from simgate.core.settings import Settings
from simgate.delivery import admin, auth, signature
from simgate.dialects.delivery.router import router
from simgate.hub.context import HubContext
from simgate.hub.server import running_server
from tests.delivery.smsc import LoopbackSmsc

SENDER = "simgate"
START_BALANCE = 10_000  # 100.00 in minor units


def make_ctx(settings: Settings, db: Database, clock: Clock, **overrides: Any) -> HubContext:
    tuned = settings.model_copy(update={"delivery_poll_seconds": 0.02, **overrides})
    return HubContext(settings=tuned, db=db, clock=clock)


@pytest.fixture
async def ctx(settings: Settings, db: Database, clock: FrozenClock) -> AsyncIterator[HubContext]:
    context = make_ctx(settings, db, clock)
    yield context
    await context.close_http()


@dataclass
class Customer:
    name: str
    account_id: int
    secret: str


async def make_customer(
    ctx: HubContext, name: str = "alice", *, balance: int = START_BALANCE, sender: bool = True
) -> Customer:
    async with ctx.db.transaction() as session:
        now = ctx.clock.now()
        created = await accounts.create(session, ctx.settings, name, now, balance=balance)
        secret = await auth.issue_secret(session, created.account.id, now)
        if sender:
            await admin.decide_sender(session, created.account.id, SENDER, "completed", now)
    return Customer(name, created.account.id, secret)


@pytest.fixture
async def customer(ctx: HubContext) -> Customer:
    return await make_customer(ctx)


class DeliveryClient:
    """Signs like the spec's PHP example and calls /delivery-api/get/<method>.php."""

    def __init__(self, http: httpx.AsyncClient, ctx: HubContext, customer: Customer) -> None:
        self.http = http
        self.ctx = ctx
        self.customer = customer

    def signed(self, **params: str) -> dict[str, str]:
        stamp = str(auth.epoch_seconds(self.ctx.clock.now()))
        full = {"login": self.customer.name, "timestamp": stamp, **params}
        full["signature"] = signature.compute(full, self.customer.secret)
        return full

    async def raw(self, method: str, params: dict[str, str], *, post: bool = False) -> Any:
        url = f"/delivery-api/get/{method}.php"
        if post:
            response = await self.http.post(url, data=params)
        else:
            response = await self.http.get(url, params=params)
        assert response.status_code == 200, response.text
        return jsonutil.loads(response.content)

    async def call(self, method: str, *, post: bool = False, **params: str) -> Any:
        return await self.raw(method, self.signed(**params), post=post)


@pytest.fixture
async def api(ctx: HubContext, customer: Customer) -> AsyncIterator[DeliveryClient]:
    app = FastAPI()
    app.include_router(router)
    app.state.ctx = ctx
    async with (
        running_server(app) as url,
        httpx.AsyncClient(base_url=url, trust_env=False, timeout=10) as http,
    ):
        yield DeliveryClient(http, ctx, customer)


@pytest.fixture
async def smsc() -> AsyncIterator[LoopbackSmsc]:
    async with LoopbackSmsc() as peer:
        yield peer


def smsc_settings(port: int, **extra: Any) -> dict[str, Any]:
    return {
        "smsc_host": "127.0.0.1",
        "smsc_port": port,
        "smsc_system_id": "simgate",
        "smsc_password": "secret",
        "smsc_throughput_per_second": 1000.0,
        "smsc_window": 10,
        "delivery_retry_seconds": 0.05,
        **extra,
    }


def utc(seconds: int) -> dt.datetime:
    return auth.EPOCH + dt.timedelta(seconds=seconds)

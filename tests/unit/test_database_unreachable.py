"""A database that refuses connections (restarting, cut off) is a storage error at every
entry point: buyers and agents get the dialect's "try again" word, never an HTTP 500."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from simgate.core.clock import FrozenClock
from simgate.core.db import Database, DatabaseUnreachable
from simgate.core.settings import Settings
from simgate.hub.app import create_app
from simgate.hub.context import HubContext
from simgate.hub.server import running_server


@pytest.fixture
def refusing_url() -> Iterator[str]:
    """A PostgreSQL URL whose port nothing listens on (bound, never listening)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    url = f"postgresql+asyncpg://postgres@127.0.0.1:{port}/simgate"
    yield url
    sock.close()


@pytest.fixture
async def cut_off_hub(refusing_url: str, tmp_path: Path) -> AsyncIterator[str]:
    settings = Settings(database_url=refusing_url, data_dir=tmp_path, key_secret="s" * 32)
    db = Database(refusing_url)
    ctx = HubContext(settings=settings, db=db, clock=FrozenClock())
    try:
        async with running_server(create_app(ctx)) as url:
            yield url
    finally:
        await ctx.close()


async def test_a_refused_connection_is_a_storage_error(refusing_url: str) -> None:
    db = Database(refusing_url)
    try:
        with pytest.raises(DatabaseUnreachable) as raised:
            async with db.read() as session:
                await session.execute(text("SELECT 1"))
        assert isinstance(raised.value, DBAPIError)
        assert isinstance(raised.value.orig, ConnectionRefusedError)
        with pytest.raises(DatabaseUnreachable):
            async with db.transaction() as session:
                await session.execute(text("SELECT 1"))
    finally:
        await db.dispose()


async def test_buyers_and_agents_are_told_to_try_again(cut_off_hub: str) -> None:
    async with httpx.AsyncClient(trust_env=False, timeout=30) as client:
        balance = await client.get(f"{cut_off_hub}/api/getBalance.php", params={"apikey": "k"})
        push = await client.post(
            f"{cut_off_hub}/push_sms_webhook",
            json={"action": "PUSH_SMS", "smsId": 1, "phone": 79001234567,
                  "phoneFrom": "VK", "text": "code 12345", "key": "agent-key"},
        )  # fmt: skip
    assert (balance.status_code, balance.json()) == (200, {"response": "TRY_AGAIN_LATER"})
    assert (push.status_code, push.json()) == (200, {"status": "ERROR", "error": "TRY_AGAIN_LATER"})

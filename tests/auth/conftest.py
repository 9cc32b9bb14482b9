"""Accounts fixtures: the hub (with the auth routes) on loopback, a local SMTP server, a dev
key, and a client that encrypts passwords with the hub's published RSA key."""

from __future__ import annotations

import asyncio
import base64
import re
import socket
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from email import message_from_bytes
from email.message import Message
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

import simgate.dialects.onlinesim.methods_auth  # noqa: F401  (registers register/login)
from simgate.accounts import devkeys, passwords
from simgate.core.clock import FrozenClock
from simgate.core.db import Database
from simgate.core.settings import Settings
from simgate.dialects.onlinesim.auth_routes import router as auth_router
from simgate.hub.app import create_app
from simgate.hub.context import HubContext
from simgate.hub.server import running_server

PASSWORD = "correct horse battery"
CHEAP_ARGON2 = {"argon2_time_cost": 1, "argon2_memory_kib": 64, "argon2_parallelism": 1}


class Mailbox:
    """aiosmtpd handler keeping every message it accepts (it runs on the server's thread)."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"

    async def wait(self, count: int = 1) -> list[Message]:
        """The messages, once at least `count` arrived (the server runs on its own thread)."""
        for _ in range(500):
            if len(self.messages) >= count:
                return self.messages
            await asyncio.sleep(0.02)
        raise AssertionError(f"expected {count} emails, got {len(self.messages)}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, int]]:
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield mailbox, port
    controller.stop()


@dataclass
class AuthHub:
    url: str
    ctx: HubContext
    client: httpx.AsyncClient
    clock: FrozenClock
    dev_key: str
    mailbox: Mailbox

    async def pem(self) -> bytes:
        response = await self.client.get(f"{self.url}/api/public.pem")
        assert response.status_code == 200
        return response.content

    async def encrypt(self, text: str, scheme: str = "pkcs1") -> str:
        """What a client does: fetch /api/public.pem, encrypt, wrap in base64."""
        key = serialization.load_pem_public_key(await self.pem())
        assert isinstance(key, rsa.RSAPublicKey)
        return encrypt_with(key, text, scheme)

    async def post(self, method: str, *, as_json: bool = False, **body: Any) -> Any:
        url = f"{self.url}/api/{method}.php"
        if as_json:
            response = await self.client.post(url, json=body)
        else:
            response = await self.client.post(url, data=body)
        assert response.status_code == 200, response.text
        return response.json()

    async def register(self, username: str = "alice", **overrides: Any) -> Any:
        secret = await self.encrypt(PASSWORD)
        body: dict[str, Any] = {
            "name": "Алиса Иванова",
            "username": username,
            "email": f"{username}@example.org",
            "password": secret,
            "password_confirmation": secret,
            "dev_key": self.dev_key,
            "terms": "true",
        }
        body.update(overrides)
        return await self.post("register", **{k: v for k, v in body.items() if v is not None})

    async def login(self, username: str = "alice", password: str = PASSWORD, **extra: Any) -> Any:
        secret = await self.encrypt(password)
        return await self.post(
            "login", username=username, password=secret, dev_key=self.dev_key, **extra
        )

    async def confirm_link(self, index: int = 0) -> str:
        messages = await self.mailbox.wait(index + 1)
        body = messages[index].get_payload(decode=True)
        assert isinstance(body, bytes)
        found = re.search(r"https?://\S+/confirm-email/\S+", body.decode("utf-8"))
        assert found, body
        return found.group(0)

    def verifications(self) -> int:
        return passwords.for_settings(self.ctx.settings).verifications


def encrypt_with(key: rsa.RSAPublicKey, text: str, scheme: str = "pkcs1") -> str:
    schemes: dict[str, padding.AsymmetricPadding] = {
        "pkcs1": padding.PKCS1v15(),
        "oaep-sha1": padding.OAEP(
            mgf=padding.MGF1(hashes.SHA1()), algorithm=hashes.SHA1(), label=None
        ),
        "oaep-sha256": padding.OAEP(
            mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None
        ),
    }
    return base64.b64encode(key.encrypt(text.encode("utf-8"), schemes[scheme])).decode("ascii")


@pytest.fixture
def auth_settings(settings: Settings, smtp: tuple[Mailbox, int]) -> Settings:
    return settings.model_copy(
        update={
            "auth_cache_seconds": 0,
            "smtp_host": "127.0.0.1",
            "smtp_port": smtp[1],
            "smtp_timeout_seconds": 5.0,
            "login_attempts_per_window": 5,
            "login_window_seconds": 300,
            "register_attempts_per_window": 20,
            **CHEAP_ARGON2,
        }
    )


@pytest.fixture
async def auth_hub(
    db: Database, auth_settings: Settings, clock: FrozenClock, smtp: tuple[Mailbox, int]
) -> AsyncIterator[AuthHub]:
    ctx = HubContext(settings=auth_settings, db=db, clock=clock)
    app = create_app(ctx)
    app.include_router(auth_router)
    async with db.transaction() as session:
        dev_key = await devkeys.issue(session, clock.now(), "tests")
    async with (
        running_server(app) as url,
        httpx.AsyncClient(trust_env=False, timeout=30) as client,
    ):
        # Links in emails must point at this very server, whose port is known only now.
        ctx.settings = auth_settings.model_copy(update={"public_url": url})
        yield AuthHub(url, ctx, client, clock, dev_key, smtp[0])
    await ctx.close_http()

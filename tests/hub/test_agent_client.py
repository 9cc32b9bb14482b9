"""AgentClient against hostile agents on loopback: redirects are not followed, a reply past
MAX_REPLY_BYTES is refused before it is read whole, a trickling reply is cut at the deadline."""

from __future__ import annotations

import asyncio
import gzip
import socket
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from simgate.hub.server import running_server
from simgate.suppliers.client import (
    MAX_REPLY_BYTES,
    AgentBadReply,
    AgentClient,
    AgentTimeout,
    AgentUnreachable,
    Endpoint,
    agent_session,
)

MiB = 1024 * 1024
# Valid JSON a SUCCESS, MAX_REPLY_BYTES and more long: read whole, the call would succeed.
PADDED = b'{"status":"SUCCESS","pad":"' + b"x" * (MAX_REPLY_BYTES + MiB) + b'"}'
CHUNKS = 64  # the streamed reply: PADDED's length in all, sent a chunk at a time


@dataclass
class HostileAgent:
    plain_calls: list[dict[str, str]] = field(default_factory=list)  # headers of each
    chunks_sent: int = 0

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/", self.plain, methods=["GET", "POST"]),
                Route("/moved", self.moved, methods=["GET", "POST"]),
                Route("/long", self.long, methods=["POST"]),
                Route("/streamed", self.streamed, methods=["POST"]),
                Route("/gzipped", self.gzipped, methods=["POST"]),
                Route("/trickle", self.trickle, methods=["POST"]),
            ]
        )

    async def plain(self, request: Request) -> Response:
        self.plain_calls.append(dict(request.headers))
        return Response(b'{"status":"SUCCESS"}', media_type="application/json")

    async def moved(self, request: Request) -> Response:
        return RedirectResponse("/", status_code=302)

    async def long(self, request: Request) -> Response:
        return Response(PADDED, media_type="application/json")  # with its Content-Length

    async def streamed(self, request: Request) -> Response:
        # Chunked, no Content-Length: only counting what arrives can stop it.
        def chunks() -> Iterator[bytes]:
            size = -(-len(PADDED) // CHUNKS)
            for start in range(0, len(PADDED), size):
                self.chunks_sent += 1
                yield PADDED[start : start + size]

        return StreamingResponse(chunks(), media_type="application/json")

    async def gzipped(self, request: Request) -> Response:
        # Some 10 kB on the wire, over MAX_REPLY_BYTES once unpacked.
        body = gzip.compress(PADDED, compresslevel=9)
        return Response(body, media_type="application/json", headers={"Content-Encoding": "gzip"})

    async def trickle(self, request: Request) -> Response:
        async def spaces() -> AsyncIterator[bytes]:
            for _ in range(100):  # 10 s of whitespace, then a valid reply
                yield b" "
                await asyncio.sleep(0.1)
            yield b'{"status":"SUCCESS"}'

        return StreamingResponse(spaces(), media_type="application/json")


@pytest.fixture
async def stub() -> AsyncIterator[tuple[HostileAgent, str]]:
    agent = HostileAgent()
    async with running_server(agent.app()) as url:
        yield agent, url


@pytest.fixture
async def client() -> AsyncIterator[AgentClient]:
    session = agent_session()
    yield AgentClient(session, "simgate-test/1")
    await session.close()


async def test_a_plain_call_carries_the_headers(stub, client):
    agent, url = stub
    await client.finish_activation(Endpoint(f"{url}/", "k", 5.0), 1, 3)
    (headers,) = agent.plain_calls
    assert headers["user-agent"] == "simgate-test/1"
    assert headers["content-type"] == "application/json"


async def test_a_redirect_is_not_followed(stub, client):
    agent, url = stub
    with pytest.raises(AgentBadReply, match="HTTP 302"):
        await client.finish_activation(Endpoint(f"{url}/moved", "k", 5.0), 1, 3)
    assert agent.plain_calls == []


@pytest.mark.parametrize("path", ["long", "streamed", "gzipped"])
async def test_a_reply_past_the_cap_is_refused(stub, client, path):
    agent, url = stub
    with pytest.raises(AgentBadReply, match="reply"):
        await client.finish_activation(Endpoint(f"{url}/{path}", "k", 30.0), 1, 3)
    if path == "streamed":
        assert 0 < agent.chunks_sent < CHUNKS  # the client stopped reading


async def test_a_trickling_reply_is_cut_at_the_deadline(stub, client):
    _, url = stub
    started = time.monotonic()
    with pytest.raises(AgentTimeout):
        await client.finish_activation(Endpoint(f"{url}/trickle", "k", 0.5), 1, 3)
    assert time.monotonic() - started < 3


async def test_a_refused_connection_is_unreachable(client):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))  # bound, never listening: connections are refused
        port = sock.getsockname()[1]
        with pytest.raises(AgentUnreachable):
            await client.finish_activation(Endpoint(f"http://127.0.0.1:{port}/", "k", 5.0), 1, 3)

"""The hub's client to agents keeps its connections open: a second burst of concurrent calls
reuses the first burst's connections instead of opening new ones (httpx alone keeps 20)."""

from __future__ import annotations

import asyncio

from simgate.hub.context import agents_http

BURST = 40


async def test_a_second_burst_opens_no_connection() -> None:
    accepted = 0

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal accepted
        accepted += 1
        try:
            while await reader.readuntil(b"\r\n\r\n"):
                await asyncio.sleep(0.05)  # every call of a burst is in flight at once
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    client = agents_http()
    try:
        for _ in range(2):
            calls = [client.get(f"http://127.0.0.1:{port}/") for _ in range(BURST)]
            replies = await asyncio.gather(*calls)
            assert all(r.text == "ok" for r in replies)
    finally:
        await client.aclose()
        server.close()
        await server.wait_closed()
    assert accepted == BURST

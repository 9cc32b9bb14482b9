"""Run an ASGI app under uvicorn inside the current event loop (serve, demo, tests)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from typing import Any

import uvicorn

from simgate.core import validate

# Connections the kernel queues before a process accepts them (uvicorn's own default).
BACKLOG = 2048


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to host:port and listening (port 0 picks a free port). Bound once,
    it can be served by this process or by several forked ones (`serve --workers`)."""
    validate.port(port)
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit this. Without it a response written in two parts waits
    # for the client's delayed ACK (~40 ms per request on Linux).
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
        sock.listen(BACKLOG)
    except OSError as exc:
        sock.close()
        # The bare errno text does not say which address; the operator needs to know.
        raise OSError(exc.errno, f"cannot listen on {host}:{port}: {exc.strerror}") from exc
    return sock


def socket_url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def server_config(app: Any) -> uvicorn.Config:
    """uvicorn as the hub runs it: httptools' HTTP parser (C, uvicorn's fastest), no access
    log (the hub writes its own line per request, without query strings that hold keys), no
    lifespan. The event loop is the caller's: `simgate serve` runs on uvloop (run_async in
    hub/processes.py), so no `loop` is chosen here."""
    return uvicorn.Config(
        app,
        http="httptools",
        log_level="warning",
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=2,
    )


@contextlib.asynccontextmanager
async def running_server(
    app: Any, host: str = "127.0.0.1", port: int = 0, *, sock: socket.socket | None = None
) -> AsyncIterator[str]:
    """Serve `app` until the block ends; yields its base URL (port 0 picks a free port).
    With `sock`, serve that listening socket (left open: its owner closes it)."""
    own = sock is None
    listening = listening_socket(host, port) if sock is None else sock
    server = uvicorn.Server(server_config(app))
    task = asyncio.create_task(server.serve(sockets=[listening]))
    try:
        while not server.started:
            if task.done():
                task.result()  # re-raise the start-up error
            await asyncio.sleep(0.01)
        yield socket_url(listening)
    finally:
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await task
        if own:
            listening.close()

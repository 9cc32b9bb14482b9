"""AgentRuntime: the whole agent in one async context — HTTP server, SIM pool, outbox pusher
and the lifetime sweeper — so `simgate agent serve`, `simgate demo` and tests start it alike."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import socket
from collections.abc import Awaitable, Callable, Iterator
from types import TracebackType

import httpx
import uvicorn

from simgate.agent.config import AgentConfig
from simgate.agent.db import Database
from simgate.agent.modem.driver import Opener, open_serial
from simgate.agent.modem.pool import ModemPool
from simgate.agent.pusher import OutboxPusher
from simgate.agent.server import AgentProtocol, create_app
from simgate.agent.simulated import SimulatedPool
from simgate.agent.stock import Allocation
from simgate.agent.store import AgentStore
from simgate.core.clock import Clock, SystemClock
from simgate.core.logs import loggable_url

log = logging.getLogger("simgate.agent")

URL_FILE = "agent-url"


class _Server(uvicorn.Server):
    """uvicorn without its own signal handling: the caller decides when the agent stops."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class AgentRuntime:
    """Starts every part of the agent on enter and stops them on exit."""

    def __init__(
        self,
        config: AgentConfig,
        clock: Clock | None = None,
        *,
        push_transport: httpx.AsyncBaseTransport | None = None,
        modem_opener: Opener = open_serial,
    ) -> None:
        self.config = config
        self.clock: Clock = clock or SystemClock()
        self.db = Database(config.database_path, config.sqlite_synchronous)
        self.store = AgentStore(self.db, self.clock, config.max_cancels)
        self.pusher = OutboxPusher(config, self.store, push_transport)
        self.simulated = (
            SimulatedPool(config, self.store, self.clock, self.pusher.wake)
            if config.simulate
            else None
        )
        self.modems = ModemPool(config, self.store, self.pusher.wake, modem_opener)
        self.protocol = AgentProtocol(config, self.store, self._allocated)
        self.url = ""
        self._server: _Server | None = None
        self._server_task: asyncio.Task[None] | None = None
        self._tasks: list[asyncio.Task[None]] = []

    async def __aenter__(self) -> AgentRuntime:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    async def start(self) -> None:
        """Open the store, bring the SIMs up, start the loops, then listen."""
        await self.db.open(self.clock.now())
        try:
            await self.store.all_offline()
            if self.simulated is not None:
                await self.simulated.start()
                self._spawn(self.simulated.run, "simulated pool")
            self.modems.start()
            self._spawn(self.pusher.run, "outbox pusher")
            self._spawn(self._sweep, "lifetime sweeper")
            await self._serve()
        except BaseException:
            await self.stop()
            raise
        # Written whole, then renamed: whoever sees the file sees the full URL in it.
        partial = self.config.data_dir / f"{URL_FILE}.partial"
        partial.write_text(self.url + "\n")
        partial.replace(self.config.data_dir / URL_FILE)
        log.info("agent listening on %s", loggable_url(self.url))

    async def stop(self) -> None:
        """Stop listening (letting requests in flight finish), stop the loops, close the store."""
        if self._server is not None and self._server_task is not None:
            self._server.should_exit = True
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.shield(self._server_task), 5.0)
        tasks = [*self._tasks, *([self._server_task] if self._server_task else [])]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._tasks = []
        self._server, self._server_task = None, None
        await self.modems.stop()
        await self.pusher.aclose()
        (self.config.data_dir / URL_FILE).unlink(missing_ok=True)
        await self.db.close()

    def _spawn(self, loop_fn: Callable[[], Awaitable[None]], name: str) -> None:
        self._tasks.append(asyncio.create_task(_keep_running(loop_fn, name), name=name))

    async def _serve(self) -> None:
        # Binding here (not in uvicorn) makes a busy port an OSError for the caller rather
        # than uvicorn's sys.exit, and gives the real port when 0 was asked for.
        sock = _bind(self.config.host, self.config.port)
        app = create_app(self.protocol)
        config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)
        server = _Server(config)
        self._server = server
        self._server_task = asyncio.create_task(server.serve(sockets=[sock]), name="http server")
        while not server.started:
            if self._server_task.done():
                await self._server_task  # surface the reason it could not start
                raise RuntimeError("agent HTTP server stopped during start-up")
            await asyncio.sleep(0.01)
        port = sock.getsockname()[1]
        host = self.config.host if ":" not in self.config.host else f"[{self.config.host}]"
        self.url = f"http://{host}:{port}{self.config.paths[0] if self.config.paths else '/'}"

    def _allocated(self, allocation: Allocation) -> None:
        if self.simulated is not None:
            self.simulated.on_allocated(allocation)

    async def _sweep(self) -> None:
        # Housekeeping runs on the tick so a test's clock step takes effect at once.
        while True:
            await self.sweep_once()
            await asyncio.sleep(self.config.tick_seconds)

    async def sweep_once(self) -> None:
        """One housekeeping pass: expire lifetimes, flush overdue multipart SMS, prune."""
        for item in await self.store.expire():
            log.warning(
                "activation %s (%s, %s) closed after its lifetime: the hub never finished it",
                item.activation_id, item.phone, item.service,
            )  # fmt: skip
        now = self.clock.now()
        wait = dt.timedelta(hours=self.config.multipart_wait_hours)
        if await self.store.flush_stale_parts(now - wait):
            self.pusher.wake()
        await self.store.prune(now - dt.timedelta(days=7))


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY on accepted connections only when the
    # protocol is explicit; without it every reply waits out Nagle and delayed ACKs (~40 ms).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        # The bare errno text does not say which address; the operator needs to know.
        raise OSError(exc.errno, f"cannot listen on {host}:{port}: {exc.strerror}") from exc
    return sock


async def _keep_running(loop_fn: Callable[[], Awaitable[None]], name: str) -> None:
    """Run a background loop; an unexpected error is logged and the loop started again."""
    while True:
        try:
            await loop_fn()
            return
        except Exception:
            log.exception("%s failed; restarting it in 1 s", name)
            await asyncio.sleep(1.0)

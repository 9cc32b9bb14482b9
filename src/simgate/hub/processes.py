"""`simgate serve --workers N`: N hub processes serving one listening socket.

The parent binds the socket and migrates the database once, then forks; the kernel hands
each new connection to whichever process accepts it first. Only the first process runs the
background work (one worker loop is enough, and on SQLite more would only queue on the write
lock). The parent forwards SIGTERM/SIGINT to every process and waits for them; if one dies on
its own, the others are stopped too, so the hub never runs silently at part strength.

Each process has its own caches (getState, balances, catalogue listings), kept exact by the
change feed (`core.changes`): every process hears every commit within milliseconds, through
PostgreSQL LISTEN/NOTIFY or SQLite's `PRAGMA data_version`. The memory of API keys still ages
out (`auth_cache_seconds`).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import signal
import socket
import tempfile
from collections.abc import Callable, Collection, Coroutine
from pathlib import Path
from typing import Any

from simgate.accounts import confirmation
from simgate.core import logs, metrics
from simgate.core.errors import InvalidInput
from simgate.core.settings import Settings
from simgate.hub.bootstrap import prepare_database
from simgate.hub.context import HubContext
from simgate.hub.runtime import running_hub, wait_for_signal
from simgate.hub.server import listening_socket, socket_url

log = logging.getLogger(__name__)

STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


def run_async(main: Coroutine[Any, Any, None]) -> None:
    """Run `main` on uvloop when it is installed (it is pinned; a source install may lack
    it), otherwise on asyncio's own loop."""
    try:
        import uvloop
    except ImportError:
        asyncio.run(main)
        return
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(main)


async def _prepare(settings: Settings) -> None:
    """Once for all processes: migrate, seed, and say what the settings leave switched off."""
    ctx = HubContext.create(settings)
    try:
        await prepare_database(ctx.db)
    finally:
        await ctx.close()
    if (warning := confirmation.startup_warning(settings)) is not None:
        log.warning(warning)


async def _serve_socket(
    settings: Settings,
    sock: socket.socket,
    with_worker: bool,
    on_listening: Callable[[str], None] | None,
) -> None:
    ctx = HubContext.create(settings)
    try:
        async with running_hub(
            ctx, host="", port=0, with_worker=with_worker, sock=sock, prepare=False
        ) as url:
            if on_listening is not None:
                on_listening(url)
            _freeze_start_up_objects()
            await wait_for_signal()
    finally:
        await ctx.close()


def _freeze_start_up_objects() -> None:
    """Leave what start-up made (modules, the app, settings: some 160,000 objects) out of
    every later garbage collection. Otherwise each full collection walks them all, some
    60 ms in which no request is answered: the slowest answers under load were those."""
    gc.collect()
    gc.freeze()


def serve(
    settings: Settings,
    *,
    host: str,
    port: int,
    workers: int,
    with_worker: bool,
    on_listening: Callable[[str], None],
) -> int:
    """Serve the hub in `workers` processes until SIGTERM/SIGINT; the exit status."""
    if workers < 1:
        raise InvalidInput(f"workers must be at least 1, not {workers}")
    sock = listening_socket(host, port)
    try:
        run_async(_prepare(settings))
        if workers == 1:
            run_async(_serve_socket(settings, sock, with_worker, on_listening))
            return 0
        # Each process's counters go to files in one directory, so a scrape that any one
        # process answers sums them all; a fresh directory per run, so no run adds up another's.
        with tempfile.TemporaryDirectory(prefix="simgate-metrics-") as directory:
            metrics.use_multiprocess(Path(directory))
            return _supervise(settings, sock, workers, with_worker, on_listening)
    finally:
        sock.close()


def _supervise(
    settings: Settings,
    sock: socket.socket,
    workers: int,
    with_worker: bool,
    on_listening: Callable[[str], None],
) -> int:
    # Blocked before forking, so a signal that arrives meanwhile waits for sigwait below
    # instead of killing the parent with children left behind.
    watched = {*STOP_SIGNALS, signal.SIGCHLD}
    signal.pthread_sigmask(signal.SIG_BLOCK, watched)
    children: list[int] = []
    try:
        for index in range(workers):
            try:
                pid = os.fork()
            except OSError:
                _stop(children)  # out of processes or memory: none left running unsupervised
                raise
            if pid == 0:
                _child(settings, sock, with_worker and index == 0)
            children.append(pid)
        on_listening(f"{socket_url(sock)} ({workers} processes)")
        return _wait(children, watched)
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, watched)


def _child(settings: Settings, sock: socket.socket, with_worker: bool) -> None:
    """The body of one forked process; never returns."""
    status = 0
    try:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {*STOP_SIGNALS, signal.SIGCHLD})
        run_async(_serve_socket(settings, sock, with_worker, None))
    except BaseException:
        log.exception("hub process %d failed", os.getpid())
        status = 1
    finally:
        logs.BatchedLines.flush_all()  # os._exit runs no atexit handler
        os._exit(status)


def _wait(children: list[int], watched: set[signal.Signals]) -> int:
    """Until a stop signal (forwarded to every child) or a child's exit (the rest stopped)."""
    running = set(children)
    status = 0
    while running:
        received = signal.sigwait(watched)
        if received in STOP_SIGNALS:
            break
        for pid, code in _reaped(running):
            running.discard(pid)
            log.error("hub process %d exited (status %d); stopping the others", pid, code)
            status = 1
        if status:
            break
    return 1 if _stop(running) else status


def _stop(children: Collection[int]) -> bool:
    """SIGTERM each child and wait for it; True when any exited with a failure."""
    for pid in children:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    failed = False
    for pid in children:
        _, wait_status = os.waitpid(pid, 0)
        failed |= os.waitstatus_to_exitcode(wait_status) != 0
    return failed


def _reaped(running: set[int]) -> list[tuple[int, int]]:
    done = []
    for pid in list(running):
        finished, wait_status = os.waitpid(pid, os.WNOHANG)
        if finished:
            done.append((pid, os.waitstatus_to_exitcode(wait_status)))
    return done

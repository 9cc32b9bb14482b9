"""simgate processes run as a real operator runs them, killed with SIGKILL and started again."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import signal
import socket
import sys
import time
from pathlib import Path

import httpx


def _die_with_parent() -> None:
    """Linux: the child gets SIGKILL when the harness dies, so no run leaves processes behind."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Supervised:
    """One command line (`simgate serve …`) with its environment and log file."""

    def __init__(
        self,
        name: str,
        args: list[str],
        env: dict[str, str],
        log: Path,
        ready_url: str | None = None,
    ) -> None:
        self.name = name
        self.args = args
        self.env = env
        self.log = log
        self.ready_url = ready_url
        self.kills = 0
        self.starts = 0
        self.restarting = False
        self._proc: asyncio.subprocess.Process | None = None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.returncode is None

    async def start(self) -> None:
        self.starts += 1
        with self.log.open("ab") as out:
            out.write(f"\n=== start {self.starts} at {time.time():.3f}\n".encode())
            out.flush()
            self._proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "simgate.cli.main", *self.args,
                env={**os.environ, **self.env}, stdout=out, stderr=out,
                stdin=asyncio.subprocess.DEVNULL, start_new_session=True,
                preexec_fn=_die_with_parent,
            )  # fmt: skip
        if self.ready_url:
            await self._wait_ready(self.ready_url)

    async def _wait_ready(self, url: str) -> None:
        async with httpx.AsyncClient(trust_env=False, timeout=2) as client:
            for _ in range(300):
                if not self.running:
                    raise RuntimeError(f"{self.name} exited on start; see {self.log}")
                with contextlib.suppress(httpx.HTTPError):
                    await client.get(url)
                    return
                await asyncio.sleep(0.1)
        raise RuntimeError(f"{self.name} did not answer at {url}; see {self.log}")

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, exactly like a power cut of that process."""
        if self._proc is not None and self.running:
            self.kills += 1
            os.killpg(self._proc.pid, signal.SIGKILL)

    async def wait(self) -> None:
        if self._proc is not None:
            await self._proc.wait()

    async def stop(self) -> None:
        if self._proc is not None and self.running:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._proc.pid, signal.SIGTERM)
            try:
                await asyncio.wait_for(self._proc.wait(), 20)
            except TimeoutError:
                self.kill()
                await self._proc.wait()

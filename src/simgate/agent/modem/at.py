"""An AT command channel: one command at a time, final result codes, unsolicited lines apart."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

log = logging.getLogger("simgate.agent.modem")

# Lines a modem sends on its own, never as part of a command's answer.
URC_PREFIXES = ("+CMTI:", "+CDSI:", "RING", "+CMT:", "+CDS:", "^", "+CUSD:")
_FINAL_ERRORS = ("ERROR", "+CME ERROR", "+CMS ERROR", "NO CARRIER")


class AtError(Exception):
    """The modem answered ERROR (or +CME/+CMS ERROR)."""


class AtTimeout(Exception):
    """The modem did not finish a command in time: it may have hung."""


class AtClosed(Exception):
    """The serial port closed under us."""


class AtChannel:
    """Sends commands and collects their answer lines until OK or an error code."""

    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        on_urc: Callable[[str], None],
    ) -> None:
        self._reader = reader
        self._writer = writer
        self._on_urc = on_urc
        self._lock = asyncio.Lock()
        self._lines: list[str] = []
        self._pending: asyncio.Future[list[str]] | None = None
        self._command = ""
        self._task: asyncio.Task[None] | None = None
        self.closed = False

    def start(self) -> None:
        """Begin reading lines from the port."""
        self._task = asyncio.create_task(self._read_loop(), name="at-reader")

    async def close(self) -> None:
        """Stop reading and close the port."""
        self.closed = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        self._writer.close()
        with contextlib.suppress(Exception):
            await self._writer.wait_closed()

    async def command(self, command: str, wait_seconds: float) -> list[str]:
        """Send one command; return its answer lines (without the final OK)."""
        async with self._lock:
            if self.closed:
                raise AtClosed(command)
            loop = asyncio.get_running_loop()
            self._pending = loop.create_future()
            self._lines = []
            self._command = command
            self._writer.write(command.encode("ascii") + b"\r")
            try:
                await self._writer.drain()
                return await asyncio.wait_for(asyncio.shield(self._pending), wait_seconds)
            except TimeoutError as exc:
                raise AtTimeout(f"{command}: no answer in {wait_seconds:g} s") from exc
            finally:
                self._pending = None

    async def _read_loop(self) -> None:
        try:
            while True:
                raw = await self._reader.readline()
                if not raw:
                    break
                line = raw.decode("latin-1").strip()
                if line:
                    self._on_line(line)
        except Exception as exc:  # a serial error ends the channel like EOF does
            log.warning("modem read failed: %s", exc)
        finally:
            self.closed = True
            if self._pending is not None and not self._pending.done():
                self._pending.set_exception(AtClosed("port closed"))
            self._on_urc("")  # an empty URC tells the driver the channel is gone

    def _on_line(self, line: str) -> None:
        if line.startswith(URC_PREFIXES):
            self._on_urc(line)
            return
        pending = self._pending
        if pending is None or pending.done():
            log.debug("modem said %r outside a command", line)
            return
        if line == self._command:  # echo, before ATE0 takes effect
            return
        if line == "OK":
            pending.set_result(self._lines)
        elif line.startswith(_FINAL_ERRORS):
            pending.set_exception(AtError(f"{self._command}: {line}"))
        else:
            self._lines.append(line)

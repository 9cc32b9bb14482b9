"""A real SMPP 3.4 peer for the tests: smpp34's server on loopback acting as the SMSC, and a
TCP proxy in front of it that a test can cut to drop the connection mid-queue."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

import smpp34

T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Submitted:
    destination: str
    source: str
    source_ton: int
    data_coding: int
    esm_class: int
    registered_delivery: int
    short_message: bytes
    message_id: str
    at: float

    @property
    def udh(self) -> bytes:
        return self.short_message[:6] if self.esm_class & 0x40 else b""

    @property
    def body(self) -> bytes:
        return self.short_message[6:] if self.esm_class & 0x40 else self.short_message


class LoopbackSmsc:
    """Accepts every bind and submit_sm (unless `decide` says otherwise) and, when `receipts`
    is set, answers each accepted part with a deliver_sm receipt of `receipt_stat`."""

    def __init__(self, *, receipts: bool = True, receipt_stat: str = "DELIVRD") -> None:
        self.port = free_port()
        self.receipts = receipts
        self.receipt_stat = receipt_stat
        self.accepted: list[Submitted] = []
        self.refused: list[tuple[str, int]] = []
        self.system_ids: list[str] = []
        # From this many accepted submits on, leave submit_sm unanswered (a stalled SMSC).
        self.stall_after: int | None = None
        # Sessions whose submit_sm are left unanswered whatever `stall_after` says.
        self.stalled_sessions: set[str] = set()
        self.stalled: list[smpp34.SubmitSmEvent] = []
        # Set: answer nothing until this many submit_sm are unanswered, then answer them all;
        # only a client that keeps that many outstanding gets anything through.
        self.answer_in_groups: int | None = None
        self.most_outstanding = 0
        self._held: list[smpp34.SubmitSmEvent] = []
        # Returns a command_status to refuse with, or None to accept.
        self.decide: Callable[[smpp34.SubmitSmEvent], int | None] = lambda _event: None
        self._sessions: dict[str, smpp34.Esme] = {}
        self._ids = itertools.count(1)
        self._server = smpp34.Server(host="127.0.0.1", port=self.port, system_id="TESTSMSC")
        self._tasks: set[asyncio.Task[None]] = set()
        self._stored: list[tuple[str, bytes, str]] = []

    def stall_sessions_so_far(self) -> None:
        """Leave every submit_sm of the sessions bound so far unanswered from now on: a client
        killed with submits still on their way must never have them answered."""
        self.stalled_sessions.update(self._sessions)

    async def __aenter__(self) -> LoopbackSmsc:
        await self._server.start()
        self._spawn(self._loop())
        return self

    async def __aexit__(self, *_exc: object) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        with contextlib.suppress(Exception):
            await self._server.stop()

    def _spawn(self, coro: object) -> None:
        task = asyncio.ensure_future(coro)  # type: ignore[call-overload]
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _loop(self) -> None:
        while True:
            event = await self._server.next()
            if isinstance(event, smpp34.Esme):
                self._sessions[event.session_id] = event
                self.system_ids.append(event.system_id)
                self._spawn(self._flush_stored(event))
            elif isinstance(event, smpp34.SubmitSmEvent):
                self._on_submit(event)

    def _on_submit(self, event: smpp34.SubmitSmEvent) -> None:
        stalling = self.stall_after is not None and len(self.accepted) >= self.stall_after
        if stalling or event.session_id in self.stalled_sessions:
            self.stalled.append(event)  # kept, so the library does not answer it either
            return
        if self.answer_in_groups is not None:
            self._held.append(event)
            self.most_outstanding = max(self.most_outstanding, len(self._held))
            if len(self._held) < self.answer_in_groups:
                return
            group, self._held = self._held, []
            for held in group:
                self._answer(held)
            return
        self._answer(event)

    def _answer(self, event: smpp34.SubmitSmEvent) -> None:
        status = self.decide(event)
        if status is not None:
            event.reject(status)
            self.refused.append((event.destination_addr, status))
            return
        message_id = f"{next(self._ids):08x}"
        event.accept(message_id=message_id)
        self.accepted.append(
            Submitted(
                event.destination_addr,
                event.source_addr,
                event.source_addr_ton,
                event.data_coding,
                event.esm_class,
                event.registered_delivery,
                event.short_message,
                message_id,
                time.monotonic(),
            )
        )
        if self.receipts and event.registered_delivery:
            self._spawn(self._receipt(event.session_id, event, message_id))

    async def _receipt(self, session_id: str, event: smpp34.SubmitSmEvent, smsc_id: str) -> None:
        text = (
            f"id:{smsc_id} sub:001 dlvrd:001 submit date:2601010000 done date:2601010000 "
            f"stat:{self.receipt_stat} err:000 text:"
        )
        receipt = (event.source_addr, text.encode(), event.destination_addr)
        esme = self._sessions[session_id]
        if not await self._push(esme, receipt):
            # Like a real SMSC: a receipt that could not be delivered waits for the next bind,
            # or goes to the newest one when that bind came while this push was failing.
            self._stored.append(receipt)
            newest = next(reversed(self._sessions.values()))
            if newest is not esme:
                self._spawn(self._flush_stored(newest))

    async def _push(self, esme: smpp34.Esme, receipt: tuple[str, bytes, str]) -> bool:
        destination, text, source = receipt
        try:
            resp = await asyncio.wait_for(
                _future(esme.deliver_sm(destination, text, source_addr=source, esm_class=0x04)), 2
            )
        except (smpp34.SmppError, TimeoutError):
            return False
        return resp.is_success

    async def _flush_stored(self, esme: smpp34.Esme) -> None:
        stored, self._stored = self._stored, []
        for receipt in stored:
            if not await self._push(esme, receipt):
                self._stored.append(receipt)


async def _future(awaitable: Awaitable[T]) -> T:
    return await awaitable


class PduTap:
    """Reads SMPP framing (4-byte command_length, 4-byte command_id) off a byte stream."""

    def __init__(self) -> None:
        self.command_ids: list[int] = []
        self._buffer = b""

    def feed(self, data: bytes) -> None:
        self._buffer += data
        while len(self._buffer) >= 8:
            length = int.from_bytes(self._buffer[:4], "big")
            if len(self._buffer) < length:
                return
            self.command_ids.append(int.from_bytes(self._buffer[4:8], "big"))
            self._buffer = self._buffer[length:]


class CuttableProxy:
    """Forwards TCP to the SMSC; `cut()` aborts every connection like a network failure;
    `from_client` sees every PDU the ESME sent."""

    def __init__(self, target_port: int) -> None:
        self.from_client = PduTap()
        self.target_port = target_port
        self.port = 0
        self.connections = 0
        self._writers: list[asyncio.StreamWriter] = []
        self._server: asyncio.Server | None = None

    async def __aenter__(self) -> CuttableProxy:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = int(self._server.sockets[0].getsockname()[1])
        return self

    async def __aexit__(self, *_exc: object) -> None:
        self.cut()
        if self._server is not None:
            self._server.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        self._writers += [writer, up_writer]
        await asyncio.gather(
            _pipe(reader, up_writer, self.from_client),
            _pipe(up_reader, writer, None),
            return_exceptions=True,
        )

    def cut(self) -> None:
        for writer in self._writers:
            writer.transport.abort()
        self._writers = []


async def _pipe(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, tap: PduTap | None
) -> None:
    try:
        while data := await reader.read(65536):
            if tap is not None:
                tap.feed(data)
            writer.write(data)
            await writer.drain()
    except OSError:
        pass  # the other side went away: that is what a cut is
    finally:
        writer.transport.abort()

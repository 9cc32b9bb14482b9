"""A TCP proxy between two loopback processes whose link the fault schedule controls.

`cut()` drops every open connection and refuses new ones until `restore()`; `delay` holds each
chunk that long before passing it on. The proxy keeps its port across the faults, so the
processes on either side keep the address they were given.
"""

from __future__ import annotations

import asyncio
import contextlib


class LinkProxy:
    def __init__(self, name: str, target_port: int) -> None:
        self.name = name
        self.target_port = target_port
        self.delay = 0.0
        self.cuts = 0
        self._up = True
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.sockets[0].getsockname()[1])

    async def start(self, port: int = 0) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", port)

    async def close(self) -> None:
        self.cut()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    def cut(self) -> None:
        """Drop the link: open connections are reset, new ones closed at once."""
        self._up = False
        self.cuts += 1
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    def restore(self) -> None:
        self._up = True
        self.delay = 0.0

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if not self._up:
            writer.transport.abort()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.transport.abort()
            return
        self._writers.update((writer, up_writer))
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))
        for w in (writer, up_writer):
            self._writers.discard(w)
            w.transport.abort()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError, asyncio.IncompleteReadError):
            while self._up:
                chunk = await reader.read(65536)
                if not chunk:
                    break
                if self.delay:
                    await asyncio.sleep(self.delay)
                if not self._up:
                    break
                writer.write(chunk)
                await writer.drain()
        # One side closed: the other learns it as a real peer would.
        with contextlib.suppress(OSError):
            if writer.can_write_eof():
                writer.write_eof()

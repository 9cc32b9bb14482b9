"""How `simgate serve` serves: uvloop under uvicorn with httptools and no access log, and a
request log whose time is written as Python's logging writes it."""

from __future__ import annotations

import asyncio
import logging

import uvloop
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from simgate.core.logs import FORMAT, TextFormatter
from simgate.hub import processes
from simgate.hub.server import server_config


def test_serve_runs_on_uvloop() -> None:
    loops: list[asyncio.AbstractEventLoop] = []

    async def main() -> None:
        loops.append(asyncio.get_running_loop())

    processes.run_async(main())
    assert isinstance(loops[0], uvloop.Loop)


async def _app(scope: object, receive: object, send: object) -> None:
    raise AssertionError("never called")


def test_uvicorn_parses_with_httptools_and_logs_no_access_line() -> None:
    config = server_config(_app)
    config.load()
    assert config.http_protocol_class is HttpToolsProtocol
    assert config.access_log is False


def test_text_lines_are_those_of_logging_formatter() -> None:
    """The time is cached per second: lines in one second, and in the next, read the same as
    the standard formatter writes them."""
    cached, standard = TextFormatter(FORMAT), logging.Formatter(FORMAT)
    record = logging.LogRecord("simgate.requests", logging.INFO, "", 0, "GET /health", None, None)
    start = int(record.created)
    for created in (start + 0.001, start + 0.999, start + 1.5, start + 1.25, start + 7.0):
        record.created, record.msecs = created, (created - int(created)) * 1000
        assert cached.format(record) == standard.format(record)

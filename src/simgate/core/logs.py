"""The logging set-up of simgate's processes (serve, worker, agent), and URLs fit for a log.

Outbound URLs carry secrets: an agent's URL may hold user:password@ or a key in its query
string, a PUSH_SMS hub_url or a webhook a token. httpx logs every request's full URL at INFO,
so its loggers are held at WARNING (their warnings and errors still show), and our own lines
print a URL only through `loggable_url`.
"""

from __future__ import annotations

import asyncio
import atexit
import datetime as dt
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any, ClassVar
from urllib.parse import urlsplit, urlunsplit

from simgate.core import jsonutil
from simgate.core.settings import get_settings

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
CHATTY_LOGGERS = ("httpx", "httpcore")
# Fields the hub's request log passes as `extra`, copied into a JSON line when present.
REQUEST_FIELDS = (
    "http_method",
    "path",
    "dialect",
    "api_method",
    "word",
    "status",
    "duration_ms",
    "account_id",
    "request_id",
)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and the request's fields."""

    def format(self, record: logging.LogRecord) -> str:
        fields = {name: record.__dict__[name] for name in REQUEST_FIELDS if name in record.__dict__}
        line = self.fields(record.created, record.levelname, record.name, record.getMessage())
        line.update(fields)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return jsonutil.dumps(line).decode()

    @staticmethod
    def fields(created: float, level: str, logger: str, message: str) -> dict[str, Any]:
        time_text = dt.datetime.fromtimestamp(created, dt.UTC).isoformat()
        return {"time": time_text, "level": level, "logger": logger, "message": message}


class TextFormatter(logging.Formatter):
    """FORMAT for a person, its time's seconds written once per second rather than per line:
    the hub writes a line per request, and each local-time formatting asks the C library for
    the time zone again (a file check when TZ is unset)."""

    _second: tuple[int, str] = (-1, "")

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        if datefmt is not None:
            return super().formatTime(record, datefmt)
        return self.time_text(record.created, int(record.msecs))

    def time_text(self, created: float, msecs: int) -> str:
        second = int(created)
        if self._second[0] != second:
            text = time.strftime(self.default_time_format, self.converter(created))
            self._second = (second, text)
        return f"{self._second[1]},{msecs:03d}"  # as logging.Formatter writes it


class BatchedLines:
    """INFO lines of one logger, formatted as the handler `configure` installed would format
    them and written to its stream in batches: at most FLUSH_SECONDS late, MAX_PENDING at a
    time, and at exit.

    The hub writes a line per request; through `logging` that line cost a third of a cached
    getState's CPU (a LogRecord, its formatting, a lock, a write and a flush per line). Used
    only while that handler is the root's only one and the logger adds none of its own, so
    anything else that listens (a test's caplog, an embedding program's handlers) still gets
    ordinary records. A process killed outright loses at most FLUSH_SECONDS of lines."""

    FLUSH_SECONDS = 0.05
    MAX_PENDING = 512
    # The stream handler `configure` installed (None until it runs): where batches go.
    target: ClassVar[logging.StreamHandler[Any] | None] = None
    # Every batch made, so an exit (and a forked process's os._exit) writes what they hold.
    _every: ClassVar[list[BatchedLines]] = []

    def __init__(self, logger: logging.Logger, clock: Callable[[], float] = time.time) -> None:
        self.logger = logger
        self.clock = clock
        self._pending: list[str] = []
        self._handler: logging.StreamHandler[Any] | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._timer_loop: asyncio.AbstractEventLoop | None = None
        BatchedLines._every.append(self)

    @classmethod
    def flush_all(cls) -> None:
        for lines in cls._every:
            lines.flush()

    def info(self, message: str, fields: Mapping[str, Any]) -> None:
        """Log `message` at INFO with `fields` (as `extra`), through the batch when it can."""
        handler = BatchedLines.target
        alone = logging.root.handlers == [handler] and not self.logger.handlers
        line = None
        if handler is not None and alone and self.logger.propagate:
            line = self._line(handler.formatter, message, fields)
        if line is None:
            self.logger.info("%s", message, extra=fields)
            return
        if self._handler is not handler:
            self.flush()  # a new handler (configure called again): the old one's lines first
            self._handler = handler
        self._pending.append(line)
        if len(self._pending) >= self.MAX_PENDING:
            self.flush()
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.flush()  # no loop to flush later on
            return
        if self._timer is None or self._timer_loop is not loop:
            # (a timer set on another loop, since closed, would never fire)
            self._timer, self._timer_loop = loop.call_later(self.FLUSH_SECONDS, self.flush), loop

    def _line(
        self, formatter: logging.Formatter | None, message: str, fields: Mapping[str, Any]
    ) -> str | None:
        """The line the handler would write; None for a formatter `configure` did not set."""
        created = self.clock()
        if isinstance(formatter, JsonFormatter):
            line = JsonFormatter.fields(created, "INFO", self.logger.name, message)
            line.update(fields)
            return jsonutil.dumps(line).decode() + "\n"
        if not isinstance(formatter, TextFormatter) or formatter._fmt != FORMAT:
            return None
        # msecs as logging.LogRecord computes them
        asctime = formatter.time_text(created, int((created - int(created)) * 1000))
        return f"{asctime} INFO {self.logger.name}: {message}\n"

    def flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        handler, lines = self._handler, self._pending
        if handler is None or not lines:
            return
        self._pending = []
        handler.acquire()
        try:
            handler.stream.write("".join(lines))
            handler.stream.flush()
        except (OSError, ValueError):
            pass  # a closed or broken stderr: logging's own handler would drop the line too
        finally:
            handler.release()


atexit.register(BatchedLines.flush_all)


def configure(level: int = logging.INFO, log_format: str | None = None) -> None:
    """Root logging at `level`, as text or JSON (default: SIMGATE_LOG_FORMAT); HTTP client
    loggers never below WARNING."""
    if log_format is None:
        log_format = get_settings().log_format
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter(FORMAT))
    logging.basicConfig(level=level, handlers=[handler])
    # basicConfig does nothing when the root already has a handler: batch only for our own.
    BatchedLines.target = handler if logging.root.handlers == [handler] else None
    _skip_unused_record_fields()
    for name in CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(max(level, logging.WARNING))


def _skip_unused_record_fields() -> None:
    """Neither format prints a record's thread, process or source line, and gathering them
    (a system call for the pid, a walk up the stack) was most of what the hub's one log line
    per request cost: the switches Python's logging HOWTO lists under "Optimization"."""
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    logging._srcfile = None


def loggable_url(url: str) -> str:
    """scheme://host:port/path of `url`: never its user, password, query or fragment."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "<unparsable URL>"
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{port}" if port is not None else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))

"""The logging set-up of simgate's processes (serve, worker, agent), and URLs fit for a log.

Outbound URLs carry secrets: an agent's URL may hold user:password@ or a key in its query
string, a PUSH_SMS hub_url or a webhook a token. httpx logs every request's full URL at INFO,
so its loggers are held at WARNING (their warnings and errors still show), and our own lines
print a URL only through `loggable_url`.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
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
        line = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in REQUEST_FIELDS:
            if name in record.__dict__:
                line[name] = record.__dict__[name]
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return jsonutil.dumps(line).decode()


class TextFormatter(logging.Formatter):
    """FORMAT for a person, its time's seconds written once per second rather than per line:
    the hub writes a line per request, and each local-time formatting asks the C library for
    the time zone again (a file check when TZ is unset)."""

    _second: tuple[int, str] = (-1, "")

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        if datefmt is not None:
            return super().formatTime(record, datefmt)
        second = int(record.created)
        if self._second[0] != second:
            text = time.strftime(self.default_time_format, self.converter(record.created))
            self._second = (second, text)
        return f"{self._second[1]},{int(record.msecs):03d}"  # as logging.Formatter writes it


def configure(level: int = logging.INFO, log_format: str | None = None) -> None:
    """Root logging at `level`, as text or JSON (default: SIMGATE_LOG_FORMAT); HTTP client
    loggers never below WARNING."""
    if log_format is None:
        log_format = get_settings().log_format
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter(FORMAT))
    logging.basicConfig(level=level, handlers=[handler])
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

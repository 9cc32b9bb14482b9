"""The hub's request log, request ids and metrics middleware, and its /metrics and /ready.

One log line per request: method, path, answer word, status, duration, account id. Never
the query string or body: they carry API keys, passwords and signatures.
"""

from __future__ import annotations

import logging
import os
import random
import re
import time
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.exc import DBAPIError
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from simgate.accounts import repository as accounts_repo
from simgate.core import jsonutil, logs, metrics, requestinfo
from simgate.core.db import Database
from simgate.core.migrate import schema_is_current
from simgate.delivery import queue as delivery_queue
from simgate.dialects.common.endpoint import Headers
from simgate.hub.fastpath import FastPath
from simgate.ledger import repository as ledger_repo
from simgate.outbox import repository as outbox_repo

log = logging.getLogger("simgate.requests")
request_lines = logs.BatchedLines(log)

# A caller's own request id is kept only when it cannot forge log lines or blow up a header.
_USABLE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


class RequestObserver:
    """Pure ASGI middleware in front of the buyer fast path and the framework: a request id,
    then one log line and the request metrics.

    Every answer names the request's id (X-Request-Id) and the process that gave it
    (X-Simgate-Pid), so an operator (and a test) can see every process of `serve --workers N`
    take its share of the connections. The fast path writes both headers with its own; only
    framework responses go through a `send` that adds them (on the buyers' hottest paths that
    wrapper, one more coroutine per message and a copy of each start, cost more than the
    answer).
    """

    def __init__(self, fast: FastPath, framework: ASGIApp) -> None:
        self.fast = fast
        self.framework = framework
        self.pid_header = (b"x-simgate-pid", str(os.getpid()).encode())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.framework(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = _request_id(scope)
        token = requestinfo.request_id.set(request_id)
        headers = ((b"x-request-id", request_id.encode()), self.pid_header)
        # The status sent; 500 is what the server answers if the app raises before a response.
        sent = [500]
        try:
            status = await self.fast(scope, receive, send, headers)
            if status is None:
                await self.framework(scope, receive, _adding(headers, send, sent))
            else:
                sent[0] = status
        finally:
            requestinfo.request_id.reset(token)
            _record(scope, request_id, sent[0], time.perf_counter() - started)


def _adding(headers: Headers, send: Send, sent: list[int]) -> Send:
    """`send` with `headers` added to the response's start, whose status goes to `sent`."""

    async def send_with_headers(message: Message) -> None:
        if message["type"] == "http.response.start":
            sent[0] = message["status"]
            message = {**message, "headers": [*message.get("headers", ()), *headers]}
        await send(message)

    return send_with_headers


def _request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            text: str = value.decode("latin-1")
            if _USABLE_ID.fullmatch(text):
                return text
    # 128 random bits, written as a uuid4().hex would be, without its system call per request:
    # an id only has to be unique, and `random` is reseeded in every forked process.
    return f"{random.getrandbits(128):032x}"


def _record(scope: Scope, request_id: str, status: int, seconds: float) -> None:
    note = requestinfo.read(scope)
    if note is not None:
        metrics.current().request_done(note.dialect, note.method, note.word, seconds)
    if not log.isEnabledFor(logging.INFO):
        return
    word = note.word if note is not None else None
    account_id = note.account_id if note is not None else None
    milliseconds = seconds * 1000
    method, path = scope["method"], scope["path"]
    message = (
        f"{method} {path} {'-' if word is None else word} status={status} {milliseconds:.1f}ms "
        f"account={'-' if account_id is None else account_id} id={request_id}"
    )
    fields = {
        "http_method": method,
        "path": path,
        "word": word,
        "dialect": note.dialect if note is not None else None,
        "api_method": note.method if note is not None else None,
        "status": status,
        "duration_ms": round(milliseconds, 3),
        "account_id": account_id,
        "request_id": request_id,
    }
    request_lines.info(message, fields)


class _Backlogs(Collector):
    """Gauges read from the database at scrape time (values passed in: collect is sync)."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values

    def collect(self) -> Any:
        backlog = GaugeMetricFamily(
            "simgate_backlog", "Work waiting in the database, by queue.", labels=["queue"]
        )
        for queue in ("outbox", "delivery", "email"):
            backlog.add_metric([queue], self.values[queue])
        yield backlog
        totals = GaugeMetricFamily(
            "simgate_ledger_minor_units",
            "Sums over every balance, in minor units of the hub's currency.",
            labels=["column"],
        )
        for column, value in self.values["ledger"].items():
            totals.add_metric([column], value)
        yield totals


async def _read_backlogs(db: Database) -> dict[str, Any]:
    async with db.read() as session:
        return {
            "outbox": await outbox_repo.backlog(session),
            "delivery": await delivery_queue.queued_messages(session),
            "email": await accounts_repo.unsent_emails(session),
            "ledger": await ledger_repo.totals(session),
        }


async def metrics_page(request: Request) -> Response:
    """Prometheus text: this process's (or every process's) counters, and the backlogs."""
    body = generate_latest(metrics.scrape_registry())
    try:
        backlogs = await _read_backlogs(request.app.state.ctx.db)
    except (OSError, DBAPIError):
        log.warning("metrics: the database did not answer; backlogs left out")
    else:
        body += generate_latest(_registry_of(_Backlogs(backlogs)))
    return Response(body, media_type=CONTENT_TYPE_LATEST)


def _registry_of(collector: Collector) -> CollectorRegistry:
    registry = CollectorRegistry()
    registry.register(collector)
    return registry


async def ready_page(request: Request) -> Response:
    """200 when the database answers and its schema is this code's; 503 otherwise."""
    db: Database = request.app.state.ctx.db
    try:
        current = await schema_is_current(db)
    except (OSError, DBAPIError) as exc:
        return _not_ready(f"database unreachable: {type(exc).__name__}")
    if not current:
        return _not_ready("database schema is not at this version's migrations")
    return Response(b'{"status":"ready"}', media_type="application/json")


def _not_ready(reason: str) -> Response:
    body = {"status": "not ready", "reason": reason}
    return Response(jsonutil.dumps(body), status_code=503, media_type="application/json")

"""Client for the SMSHUB agent protocol (hub → agent): GET_SERVICES, GET_NUMBER, FINISH_ACTIVATION.

A small library in the httpx style: typed results, one exception tree, an injectable
`aiohttp.ClientSession` (tests point it at a loopback agent, or give it a client middleware
that loses or breaks a reply). aiohttp rather than httpx: per call it costs the hub a fifth
of the CPU or less (bench/agent_client_cost.py), and every rental makes two calls.
Every call has a total deadline (`asyncio.timeout`, around the reading of the body too), so a
peer that trickles bytes cannot hold a buyer's request past the agent protocol's 3 s.
Redirects are not followed, and a reply is read up to `MAX_REPLY_BYTES` only.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from simgate.core import jsonutil, metrics, requestinfo


class AgentError(Exception):
    """Base of every failure talking to an agent."""


class AgentFault(AgentError):
    """The agent's own ill-health: the hub backs off from it. Nothing a buyer sends causes it."""


class AgentTimeout(AgentFault):
    pass


class AgentUnreachable(AgentFault):
    pass


class AgentBadReply(AgentFault):
    """HTTP error status, non-JSON, or JSON of the wrong shape."""


class AgentRefused(AgentError):
    """The agent answered {"status": "ERROR", ...}: it is alive and refused this one request
    (often because of what the buyer asked for), so it says nothing about the agent's health."""


@dataclass(frozen=True)
class StockLine:
    country: str
    operator: str
    service: str
    count: int


@dataclass(frozen=True)
class NumberGranted:
    number: str  # digits with country code
    activation_id: int


@dataclass(frozen=True)
class NoNumbers:
    pass


@dataclass(frozen=True)
class Endpoint:
    url: str
    key: str
    timeout: float


# An agent's reply is a small JSON object; the largest, GET_SERVICES of a big bank, is tens
# of kB. A longer body (after gunzip) is refused unread, so an agent cannot fill the hub's memory.
MAX_REPLY_BYTES = 4 * 1024 * 1024


def agent_session() -> aiohttp.ClientSession:
    """The hub's session for agent calls; made inside the running event loop, as aiohttp needs.

    No proxy from the environment (trust_env is off), no cookies kept between agents, and a
    pool like httpx's defaults: 100 connections, idle ones closed after 5 s."""
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=100, keepalive_timeout=5.0),
        cookie_jar=aiohttp.DummyCookieJar(),
        trust_env=False,
    )


class AgentClient:
    def __init__(self, http: aiohttp.ClientSession, user_agent: str) -> None:
        self._http = http
        self._headers = {"User-Agent": user_agent, "Content-Type": "application/json"}

    async def get_services(self, endpoint: Endpoint) -> list[StockLine]:
        """Stock the agent can hand out now."""
        reply = await self._call(endpoint, {"action": "GET_SERVICES"})
        if isinstance(reply.get("list"), dict):  # the 2019 text wraps the reply in "list"
            reply = reply["list"]
        _require_success(reply)
        return parse_country_list(reply.get("countryList"))

    async def get_number(
        self,
        endpoint: Endpoint,
        *,
        country: str,
        operator: str,
        service: str,
        amount: Decimal,
        currency: int,
        exception_phones: list[str],
        number: str | None = None,
    ) -> NumberGranted | NoNumbers:
        """Ask for one number; `number` (a simgate extension) asks for one specific SIM."""
        body: dict[str, Any] = {
            "action": "GET_NUMBER",
            "country": country,
            "operator": operator,
            "service": service,
            "sum": amount,
            "currency": currency,
        }
        if exception_phones:
            body["exceptionPhoneSet"] = exception_phones
        if number is not None:
            body["number"] = int(number)
        reply = await self._call(endpoint, body)
        if reply.get("status") == "NO_NUMBERS":
            return NoNumbers()
        _require_success(reply)
        return NumberGranted(
            number=_phone(reply.get("number")), activation_id=_int(reply.get("activationId"))
        )

    async def finish_activation(self, endpoint: Endpoint, activation_id: int, status: int) -> None:
        """Close an activation on the agent; raises unless it answered SUCCESS."""
        body = {"action": "FINISH_ACTIVATION", "activationId": activation_id, "status": status}
        _require_success(await self._call(endpoint, body))

    async def _call(self, endpoint: Endpoint, body: dict[str, Any]) -> dict[str, Any]:
        action = str(body["action"])
        started = time.perf_counter()
        outcome = "error"
        try:
            reply = await self._exchange(endpoint, body)
            outcome = str(reply.get("status", "no_status"))[:32]
            return reply
        except AgentTimeout:
            outcome = "timeout"
            raise
        except AgentUnreachable:
            outcome = "unreachable"
            raise
        except AgentBadReply:
            outcome = "bad_reply"
            raise
        finally:
            recorded = metrics.current()
            # The supplier's host only: its URL may carry a key (see core.logs).
            supplier = urlsplit(endpoint.url).hostname or ""
            recorded.agent_calls.labels(supplier, action, outcome).inc()
            recorded.agent_call_seconds.labels(action).observe(time.perf_counter() - started)

    async def _exchange(self, endpoint: Endpoint, body: dict[str, Any]) -> dict[str, Any]:
        payload = jsonutil.dumps({**body, "key": endpoint.key})
        headers = self._headers
        if (request_id := requestinfo.request_id.get()) is not None:
            # The buyer's request that caused this call, so both sides' logs can be joined.
            headers = {**headers, requestinfo.REQUEST_ID_HEADER: request_id}
        try:
            async with (
                asyncio.timeout(endpoint.timeout),
                self._http.post(
                    endpoint.url, data=payload, headers=headers, allow_redirects=False
                ) as response,
            ):
                if response.status != 200:
                    raise AgentBadReply(f"HTTP {response.status}")
                content = await _read_capped(response)
        except TimeoutError as exc:  # aiohttp's own timeouts are TimeoutErrors too
            raise AgentTimeout(f"no answer within {endpoint.timeout}s") from exc
        except aiohttp.ClientError as exc:
            raise AgentUnreachable(f"{type(exc).__name__}: {exc}") from exc
        try:
            reply = jsonutil.loads(content)
        except ValueError as exc:
            raise AgentBadReply(f"not JSON: {content[:80]!r}") from exc
        if not isinstance(reply, dict):
            raise AgentBadReply("reply is not a JSON object")
        return reply


async def _read_capped(response: aiohttp.ClientResponse) -> bytes:
    """The body, or AgentBadReply once it passes MAX_REPLY_BYTES (gunzipped, as read)."""
    if (response.content_length or 0) > MAX_REPLY_BYTES:
        raise AgentBadReply(f"reply of {response.content_length} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.content.iter_any():
        size += len(chunk)
        if size > MAX_REPLY_BYTES:
            raise AgentBadReply(f"reply longer than {MAX_REPLY_BYTES} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _require_success(reply: dict[str, Any]) -> None:
    status = reply.get("status")
    if status == "SUCCESS":
        return
    if status == "ERROR":
        raise AgentRefused(str(reply.get("error") or reply.get("message") or "ERROR"))
    raise AgentBadReply(f"unexpected status {status!r}")


def _int(value: Any) -> int:
    # Strict agents send integers; sloppy ones send digit strings. Both are accepted.
    if isinstance(value, bool):
        raise AgentBadReply("boolean where an integer was expected")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    raise AgentBadReply(f"not an integer: {value!r}")


def _phone(value: Any) -> str:
    phone = str(_int(value))
    if not 7 <= len(phone) <= 15:
        raise AgentBadReply(f"not a phone number: {value!r}")
    return phone


def parse_country_list(value: Any) -> list[StockLine]:
    """GET_SERVICES countryList → flat stock lines (also accepts the 2019 `list` wrapper)."""
    if not isinstance(value, list):
        raise AgentBadReply("countryList is missing")
    lines: list[StockLine] = []
    for entry in value:
        if not isinstance(entry, dict) or not isinstance(entry.get("operatorMap"), dict):
            raise AgentBadReply("countryList entry without operatorMap")
        country = str(entry.get("country", ""))
        for operator, services in entry["operatorMap"].items():
            if not isinstance(services, dict):
                raise AgentBadReply("operatorMap value is not an object")
            for service, count in services.items():
                lines.append(StockLine(country, str(operator), str(service), max(0, _int(count))))
    return lines

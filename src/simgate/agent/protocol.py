"""The agent side of the SMSHUB agent protocol: reading requests, writing replies.

Requests are read leniently where real hubs differ (ids as digit strings, `status` as text,
as the 2019 document types it) and replies are written strictly: `number` and
`activationId` are JSON integers, phone numbers are digits with the country code.

simgate extension to GET_NUMBER: an optional integer field `number`. When present the agent
hands out exactly that SIM — if it is online, free and sellable for the service in the
requested country (and operator, unless `any`) — or answers NO_NUMBERS. simgate's hub uses it
to rent the same number again (repeat rentals), and only for the buyer who bought it, so a SIM
already sold for the service is sellable to such a request (one refused with status 1 is not),
while the plain stock keeps it out. Hubs that do not know it never send it.
"""

from __future__ import annotations

import gzip
import json
from decimal import Decimal, InvalidOperation
from typing import Any

from simgate.agent.stock import NumberRequest
from simgate.core.gzipbody import BodyError, gunzip_limited
from simgate.core.integers import UINT64, NotAnInteger, read_int
from simgate.core.jsonutil import dumps

ACTIONS = ("GET_SERVICES", "GET_NUMBER", "FINISH_ACTIVATION")
FINISH_STATUSES = frozenset({1, 3, 4, 5})
MAX_EXCEPTION_PREFIXES = 1000
# No SIM bank charges this much; the cap keeps `sum` a 64-bit count of minor units at any
# currency exponent up to 6, and refuses 1e400, which Decimal holds as a finite number.
MAX_SUM = Decimal(10) ** 12


class ProtocolError(Exception):
    """A request the agent refuses; the message becomes the reply's `error` text."""


def decode_body(raw: bytes, content_encoding: str, max_bytes: int) -> dict[str, Any]:
    """The JSON object of a request body, gunzipped when the caller says so."""
    if "gzip" in content_encoding.lower():
        raw = _gunzip(raw, max_bytes)
    try:
        # Decimal keeps `sum` exact: money never passes through float.
        body = json.loads(raw, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ProtocolError("BAD_REQUEST: body is not JSON") from exc
    if not isinstance(body, dict):
        raise ProtocolError("BAD_REQUEST: body is not a JSON object")
    return body


def _gunzip(raw: bytes, max_bytes: int) -> bytes:
    try:
        return gunzip_limited(raw, max_bytes)
    except BodyError as exc:
        raise ProtocolError(f"BAD_REQUEST: {exc}") from exc


def encode_reply(reply: dict[str, Any], gzip_ok: bool) -> tuple[bytes, dict[str, str]]:
    """Reply bytes and headers; gzip when the caller accepts it."""
    body = dumps(reply)
    headers = {"Content-Type": "application/json; charset=utf-8"}
    if gzip_ok:
        body = gzip.compress(body, compresslevel=5)
        headers["Content-Encoding"] = "gzip"
    return body, headers


def error(text: str) -> dict[str, Any]:
    """An ERROR reply."""
    return {"status": "ERROR", "error": text}


def require_str(body: dict[str, Any], name: str) -> str:
    """A non-empty string field."""
    value = body.get(name)
    if not isinstance(value, str) or not value:
        raise ProtocolError(f"BAD_REQUEST: {name} must be a non-empty string")
    return value


def require_int(body: dict[str, Any], name: str, *, optional: bool = False) -> int | None:
    """A non-negative integer field; a string of digits is accepted too."""
    value = body.get(name)
    if value is None and optional:
        return None
    try:
        return read_int(value, UINT64)
    except NotAnInteger:
        raise ProtocolError(f"BAD_REQUEST: {name} must be an integer") from None


def _sum(body: dict[str, Any]) -> Decimal:
    value = body.get("sum", 0)
    if isinstance(value, bool):
        raise ProtocolError("BAD_REQUEST: sum must be a number")
    try:
        amount = Decimal(str(value)) if isinstance(value, int | str | Decimal) else None
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or not 0 <= amount <= MAX_SUM:
        raise ProtocolError("BAD_REQUEST: sum must be a non-negative decimal")
    return amount


def _prefixes(body: dict[str, Any]) -> tuple[str, ...]:
    value = body.get("exceptionPhoneSet")
    if value is None:
        return ()
    if isinstance(value, str):  # a GET query string carries a comma list
        value = [item for item in value.split(",") if item]
    if not isinstance(value, list) or len(value) > MAX_EXCEPTION_PREFIXES:
        raise ProtocolError("BAD_REQUEST: exceptionPhoneSet must be a list of prefixes")
    prefixes = []
    for item in value:
        text = str(item).lstrip("+") if isinstance(item, str | int) else ""
        if isinstance(item, bool) or not text.isdigit() or not text.isascii():
            raise ProtocolError("BAD_REQUEST: exceptionPhoneSet holds digits only")
        prefixes.append(text)
    return tuple(prefixes)


def parse_get_number(body: dict[str, Any], default_currency: int) -> NumberRequest:
    """A GET_NUMBER request, validated."""
    currency = require_int(body, "currency", optional=True)
    return NumberRequest(
        country=require_str(body, "country").lower(),
        operator=str(body.get("operator") or "any").lower(),
        service=require_str(body, "service").lower(),
        sum=_sum(body),
        currency=default_currency if currency is None else currency,
        exceptions=_prefixes(body),
        number=require_int(body, "number", optional=True),
    )


def parse_finish(body: dict[str, Any]) -> tuple[int, int]:
    """A FINISH_ACTIVATION request: (activationId, status)."""
    activation_id = require_int(body, "activationId")
    status = require_int(body, "status")
    assert activation_id is not None and status is not None
    if status not in FINISH_STATUSES:
        raise ProtocolError("BAD_STATUS")
    return activation_id, status


def services_reply(stock: dict[str, dict[str, dict[str, int]]]) -> dict[str, Any]:
    """The GET_SERVICES reply."""
    return {
        "countryList": [
            {"country": country, "operatorMap": operators}
            for country, operators in sorted(stock.items())
        ],
        "status": "SUCCESS",
    }

"""A buyer request's parameters read straight from ASGI: query string, form body or JSON body.

The buyer endpoints are the hub's hottest paths, so they read the request themselves instead
of through the framework's request object: a header scan, one `parse_qsl` and, for a POST,
the body read up to the size limit. Form bodies (rare from API clients) still go through
Starlette's own form parsers, so they are read exactly as before.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any
from urllib.parse import parse_qsl

import orjson
from python_multipart.exceptions import FormParserError
from starlette.datastructures import FormData, Headers
from starlette.exceptions import HTTPException
from starlette.formparsers import FormParser, MultiPartException, MultiPartParser
from starlette.types import Receive, Scope

from simgate.core.bodylimit import BodyTooLarge, declared_length
from simgate.core.gzipbody import BodyError, gunzip_limited
from simgate.dialects.common.params import BadParam, Params, add_value

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class ClientGone(Exception):
    """The client disconnected before its body was read: there is no one left to answer."""


def header(scope: Scope, name: bytes) -> str | None:
    """The first value of header `name` (lower case), as Starlette would decode it."""
    for key, value in scope["headers"]:
        if key == name:
            text: str = value.decode("latin-1")
            return text
    return None


def client_address(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else ""


def query_pairs(query: str) -> list[tuple[str, str]]:
    """`parse_qsl(query, keep_blank_values=True)`, with the common case made cheap: a query
    with nothing escaped (no `%`, no `+`: an API key and a few numbers) is only split."""
    if "%" in query or "+" in query:
        return parse_qsl(query, keep_blank_values=True)
    pairs = []
    for part in query.split("&"):
        if part:
            key, _, value = part.partition("=")
            pairs.append((key, value))
    return pairs


async def read_params(scope: Scope, receive: Receive, max_body: int) -> Params:
    """Merge query, form and JSON parameters; later sources win for single values."""
    values: dict[str, list[Any]] = {}
    query = scope["query_string"]
    if query:
        for key, value in query_pairs(query.decode("latin-1")):
            add_value(values, key, value)
    if scope["method"] == "POST":
        await _merge_body(scope, receive, max_body, values)
    auth = header(scope, b"authorization") or ""
    bearer = auth[7:].strip() if auth.lower().startswith("bearer ") else None
    return Params(values, bearer)


async def read_body(scope: Scope, receive: Receive, max_body: int) -> bytes:
    """The whole body, refused (BadParam) once it passes `max_body` bytes — before a byte is
    read when its declared length already does. A gzip body is inflated, to the same limit."""
    declared = declared_length(scope)
    if declared is not None and declared > max_body:
        raise BadParam("body")
    chunks: list[bytes] = []
    size = 0
    more = True
    while more:
        try:
            message = await receive()
        except BodyTooLarge:  # the framework's own limit, when it wraps `receive`
            raise BadParam("body") from None
        if message["type"] == "http.disconnect":
            raise ClientGone()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > max_body:
            raise BadParam("body")
        chunks.append(chunk)
        more = message.get("more_body", False)
    body = b"".join(chunks)
    if (header(scope, b"content-encoding") or "").strip().lower() == "gzip" and body:
        try:
            return gunzip_limited(body, max_body)
        except BodyError:
            raise BadParam("body") from None
    return body


async def _merge_body(
    scope: Scope, receive: Receive, max_body: int, values: dict[str, list[Any]]
) -> None:
    """A form, or a JSON object; any other non-empty body is a malformed request."""
    body = await read_body(scope, receive, max_body)
    content_type = (header(scope, b"content-type") or "").split(";")[0].strip().lower()
    if content_type in FORM_TYPES:
        for key, value in (await _form(scope, body)).multi_items():
            if isinstance(value, str):
                add_value(values, key, value)
        return
    if not body.strip():
        return
    try:
        parsed = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise BadParam("body") from None
    if not isinstance(parsed, dict):
        raise BadParam("body")
    for key, value in parsed.items():
        add_value(values, str(key), value)


async def _form(scope: Scope, body: bytes) -> FormData:
    """Starlette's parsers, with their own limits per field, over a body already read."""

    async def stream() -> AsyncGenerator[bytes, None]:
        yield body

    headers = Headers(scope=scope)
    try:
        if headers.get("content-type", "").split(";")[0].strip().lower() == FORM_TYPES[0]:
            return await FormParser(headers, stream()).parse()
        return await MultiPartParser(headers, stream()).parse()
    except (MultiPartException, FormParserError, HTTPException):
        raise BadParam("body") from None

"""Bounded gunzip for request bodies: a small gzip bomb must not become gigabytes in memory."""

from __future__ import annotations

import zlib


class BodyError(ValueError):
    """The body is not gzip, or inflates past the limit."""


def gunzip_limited(raw: bytes, max_bytes: int) -> bytes:
    """Inflate a gzip body, refusing anything larger than `max_bytes` once inflated."""
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        data = inflater.decompress(raw, max_bytes + 1)
    except zlib.error as exc:
        raise BodyError("body is not gzip") from exc
    if len(data) > max_bytes:
        raise BodyError("body too large")
    return data

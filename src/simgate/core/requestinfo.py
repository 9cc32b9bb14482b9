"""What a dialect learned about the request it answered, for the hub's request log and metrics.

The dialect fills a `Note` it attaches to the ASGI scope; the hub's middleware reads it after
the answer is sent. The request id lives in a context variable so the agent calls a request
causes carry it (the agent client sends it as a header) without passing it through the domain.
"""

from __future__ import annotations

import contextvars
from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any

SCOPE_KEY = "simgate.note"
REQUEST_ID_HEADER = "X-Request-Id"

request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "simgate_request_id", default=None
)


@dataclass
class Note:
    dialect: str
    method: str
    word: str = "OK"  # the dialect's answer word; OK for a successful answer
    account_id: int | None = None


def attach(scope: MutableMapping[str, Any], dialect: str, method: str) -> Note:
    """A new note for this request, found again by `read`."""
    note = Note(dialect, method)
    scope[SCOPE_KEY] = note
    return note


def read(scope: MutableMapping[str, Any]) -> Note | None:
    note = scope.get(SCOPE_KEY)
    return note if isinstance(note, Note) else None

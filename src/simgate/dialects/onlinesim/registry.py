"""Method table of the onlinesim API. Method modules register with @method("name")."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from simgate.dialects.onlinesim.params import Params
from simgate.hub.context import HubContext
from simgate.models import Account


class Reply(Exception):
    """Raised by a handler to answer with an onlinesim error word (HTTP 200)."""

    def __init__(self, word: str) -> None:
        super().__init__(word)
        self.word = word


@dataclass(frozen=True)
class Call:
    ctx: HubContext
    params: Params
    account: Account
    client_address: str = ""


@dataclass(frozen=True)
class PublicCall:
    """A call to a method that needs no API key (register, login)."""

    ctx: HubContext
    params: Params
    client_address: str = ""


Handler = Callable[[Call], Awaitable[Any]]
PublicHandler = Callable[[PublicCall], Awaitable[Any]]

METHODS: dict[str, Handler] = {}
PUBLIC_METHODS: dict[str, PublicHandler] = {}


def method(name: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        METHODS[name] = handler
        return handler

    return register


def public_method(name: str) -> Callable[[PublicHandler], PublicHandler]:
    def register(handler: PublicHandler) -> PublicHandler:
        PUBLIC_METHODS[name] = handler
        return handler

    return register


def ok(**fields: Any) -> dict[str, Any]:
    return {"response": 1, **fields}

"""A dialect's method table: built explicitly by the dialect, so importing a module registers
nothing, and the table a router serves is the one value it was given."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from simgate.dialects.common.answer_memo import Reuse
from simgate.dialects.common.params import Params
from simgate.hub.context import HubContext
from simgate.models import Account


class Reply(Exception):
    """Raised by a handler to answer with one of its dialect's error words."""

    def __init__(self, word: str) -> None:
        super().__init__(word)
        self.word = word


@dataclass(frozen=True)
class Call:
    ctx: HubContext
    params: Params
    account: Account
    client_address: str = ""
    # A read's leave to have its answer given again to the same request (answer_memo.py).
    reuse: Reuse = field(default_factory=Reuse)


@dataclass(frozen=True)
class PublicCall:
    """A call to a method that needs no API key (register, login)."""

    ctx: HubContext
    params: Params
    client_address: str = ""


Handler = Callable[[Call], Awaitable[Any]]
PublicHandler = Callable[[PublicCall], Awaitable[Any]]


@dataclass(frozen=True)
class MethodTable:
    """Method name → handler; `public` methods are served without an API key."""

    methods: Mapping[str, Handler]
    public: Mapping[str, PublicHandler] = field(default_factory=dict)

    def __post_init__(self) -> None:
        both = set(self.methods) & set(self.public)
        if both:
            raise ValueError(f"methods both public and keyed: {sorted(both)}")

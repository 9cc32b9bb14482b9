"""The one dispatcher of the buyer dialects: read the parameters, authenticate the key, find the
method in the dialect's table, call it, and turn every refusal into the dialect's word.

A dialect brings only what is its own (`BuyerDialect`): its table, its error words, which
parameter holds the key and the method, and how an answer is written. The dispatcher works on
the bare ASGI scope and returns the bytes to send; `endpoint.py` puts them on the wire.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import DBAPIError
from starlette.types import Receive, Scope

from simgate.core import requestinfo
from simgate.core.errors import DomainError
from simgate.dialects.common.apikey import authenticate
from simgate.dialects.common.errors import ErrorWords
from simgate.dialects.common.params import BadParam, Params
from simgate.dialects.common.reading import client_address, read_params
from simgate.dialects.common.registry import Call, MethodTable, PublicCall, Reply
from simgate.hub.context import HubContext
from simgate.models import Account

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Answer:
    """What goes on the wire: the body and its content type; always HTTP 200."""

    body: bytes
    content_type: bytes


@dataclass(frozen=True)
class BuyerDialect:
    name: str  # its metric label
    table: MethodTable
    words: ErrorWords
    # A handler's result → the answer and its word for the log (None: the default "OK").
    render: Callable[[Any], tuple[Answer, str | None]]
    refuse: Callable[[str], Answer]  # an error word → its answer
    bad_param: str  # the word for a parameter or body of the wrong shape
    unknown_method: str
    key_param: str
    accepts_bearer: bool = False
    # None: the method is named by the path, known before anything is read. A name: the method
    # is that parameter, looked at after the key (an unknown key is refused whatever it asks).
    action_param: str | None = None


class Dispatcher:
    """One dialect's dispatcher in one hub process."""

    def __init__(self, dialect: BuyerDialect, ctx: HubContext) -> None:
        self.dialect = dialect
        self.ctx = ctx

    def knows(self, name: str) -> bool:
        table = self.dialect.table
        return name in table.methods or name in table.public

    async def answer(self, scope: Scope, receive: Receive, name: str = "") -> Answer:
        """The answer to one request; `name` is the method from the path, if the dialect's
        methods are named there. Notes the method, word and account for the request log."""
        dialect = self.dialect
        # Only known names become a metric label: the path is the client's to choose.
        note = requestinfo.attach(scope, dialect.name, name if self.knows(name) else "unknown")
        if dialect.action_param is None and note.method == "unknown":
            return self._refuse(dialect.unknown_method, note)
        try:
            params = await read_params(scope, receive, self.ctx.settings.max_body_bytes)
            return await self._call(scope, params, name, note)
        except Reply as reply:
            return self._refuse(reply.word, note)
        except DomainError as error:
            return self._refuse(dialect.words.word_for(error), note)
        except BadParam:
            return self._refuse(dialect.bad_param, note)
        except DBAPIError:
            log.exception("storage error in %s %s", dialect.name, note.method)
            return self._refuse(dialect.words.generic, note)

    async def _call(
        self, scope: Scope, params: Params, name: str, note: requestinfo.Note
    ) -> Answer:
        dialect, address = self.dialect, client_address(scope)
        public = dialect.table.public.get(name) if dialect.action_param is None else None
        if public is not None:
            return self._render(await public(PublicCall(self.ctx, params, address)), note)
        account = await self._authenticate(params)
        note.account_id = account.id
        if dialect.action_param is not None:
            name = params.text(dialect.action_param) or ""
            if name not in dialect.table.methods:
                return self._refuse(dialect.unknown_method, note)
            note.method = name
        handler = dialect.table.methods[name]
        return self._render(await handler(Call(self.ctx, params, account, address)), note)

    async def _authenticate(self, params: Params) -> Account:
        key = params.text(self.dialect.key_param)
        if not key and self.dialect.accepts_bearer:
            key = params.bearer
        return await authenticate(self.ctx.db, self.ctx.key_cache, key)

    def _render(self, result: Any, note: requestinfo.Note) -> Answer:
        answer, word = self.dialect.render(result)
        if word is not None:
            note.word = word
        return answer

    def _refuse(self, word: str, note: requestinfo.Note) -> Answer:
        note.word = word.split(":", 1)[0]  # a word with values (BANNED:…) is one label
        return self.dialect.refuse(word)

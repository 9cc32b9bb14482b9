"""The one dispatcher of the buyer dialects: read the parameters, authenticate the key, find the
method in the dialect's table, call it, and turn every refusal into the dialect's word.

A dialect brings only what is its own (`BuyerDialect`): its table, its error words, which
parameter holds the key and the method, and how an answer is written. The dispatcher works on
the bare ASGI scope and returns the bytes to send; `endpoint.py` puts them on the wire.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import DBAPIError
from starlette.types import Receive, Scope

from simgate.core import requestinfo
from simgate.core.errors import DomainError
from simgate.dialects.common.answer_memo import AnswerMemo, Kept
from simgate.dialects.common.apikey import authenticate
from simgate.dialects.common.errors import ErrorWords
from simgate.dialects.common.params import BadParam, Params
from simgate.dialects.common.reading import client_address, header, read_params
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
        # Answers polled again and again; on while the key and state memories are.
        self.answers = AnswerMemo(ctx.db.changes, ctx.clock, self._memory_seconds)

    def _memory_seconds(self) -> float:
        return min(self.ctx.key_cache.ttl, self.ctx.state_cache.ttl)

    def knows(self, name: str) -> bool:
        table = self.dialect.table
        return name in table.methods or name in table.public

    async def answer(self, scope: Scope, receive: Receive, name: str = "") -> Answer:
        """The answer to one request; `name` is the method from the path, if the dialect's
        methods are named there. Notes the method, word and account for the request log."""
        dialect = self.dialect
        memo_key = _memo_key(scope, name) if self.answers.on else None
        if memo_key is not None and (kept := self.answers.get(memo_key)) is not None:
            note = requestinfo.attach(scope, dialect.name, kept.method)
            note.word, note.account_id = kept.word, kept.account_id
            return Answer(kept.body, kept.content_type)
        epoch = self.answers.epoch
        # Only known names become a metric label: the path is the client's to choose.
        note = requestinfo.attach(scope, dialect.name, name if self.knows(name) else "unknown")
        if dialect.action_param is None and note.method == "unknown":
            return self._refuse(dialect.unknown_method, note)
        try:
            params = await read_params(scope, receive, self.ctx.settings.max_body_bytes)
            call, answer = await self._call(scope, params, name, note)
            if memo_key is not None and call is not None and call.reuse.allowed:
                self._keep(memo_key, epoch, call, answer, note)
            return answer
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
    ) -> tuple[Call | None, Answer]:
        """The answer, and the call that made it (None: no handler with a key was called)."""
        dialect, address = self.dialect, client_address(scope)
        public = dialect.table.public.get(name) if dialect.action_param is None else None
        if public is not None:
            return None, self._render(await public(PublicCall(self.ctx, params, address)), note)
        account = await self._authenticate(params)
        note.account_id = account.id
        if dialect.action_param is not None:
            name = params.text(dialect.action_param) or ""
            if name not in dialect.table.methods:
                return None, self._refuse(dialect.unknown_method, note)
            note.method = name
        handler = dialect.table.methods[name]
        call = Call(self.ctx, params, account, address)
        return call, self._render(await handler(call), note)

    async def _authenticate(self, params: Params) -> Account:
        key = params.text(self.dialect.key_param)
        if not key and self.dialect.accepts_bearer:
            key = params.bearer
        return await authenticate(self.ctx.db, self.ctx.key_cache, key)

    def _keep(
        self, key: Hashable, epoch: int, call: Call, answer: Answer, note: requestinfo.Note
    ) -> None:
        word, method = note.word, note.method
        kept = Kept(answer.body, answer.content_type, method, word, call.account.id)
        self.answers.keep(key, epoch, kept, call.reuse.until)

    def _render(self, result: Any, note: requestinfo.Note) -> Answer:
        answer, word = self.dialect.render(result)
        if word is not None:
            note.word = word
        return answer

    def _refuse(self, word: str, note: requestinfo.Note) -> Answer:
        note.word = word.split(":", 1)[0]  # a word with values (BANNED:…) is one label
        return self.dialect.refuse(word)


def _memo_key(scope: Scope, name: str) -> tuple[str, bytes] | None:
    """What identifies a request whose answer may be kept: a GET's method name and query
    string; None for anything else (a body, or a key sent as a bearer token)."""
    if scope["method"] != "GET" or header(scope, b"authorization") is not None:
        return None
    return name, scope["query_string"]

"""/stubs/handler_api.php: authenticate, dispatch by `action`, and answer every refusal with
a bare sms-activate word.

What the clients need from the transport (see the protocol notes): HTTP 200 even for errors,
text bodies without a trailing newline, `application/json` on every JSON reply, and the
parameters in the query of a GET or of a POST with an empty body.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter
from sqlalchemy.exc import DBAPIError
from starlette.requests import Request
from starlette.responses import Response

from simgate.core import jsonutil, requestinfo
from simgate.core.errors import DomainError
from simgate.dialects.common.apikey import authenticate
from simgate.dialects.common.params import BadParam, read_params
from simgate.dialects.common.registry import Call, Reply
from simgate.dialects.smsactivate.registry import TABLE
from simgate.dialects.smsactivate.words import GENERIC_ERROR, word_for
from simgate.hub.context import HubContext

log = logging.getLogger(__name__)
router = APIRouter()

TEXT = "text/plain; charset=utf-8"


def text_reply(word: str, note: requestinfo.Note | None = None) -> Response:
    if note is not None:
        note.word = word.split(":", 1)[0]  # ACCESS_NUMBER:id:phone → ACCESS_NUMBER
    return Response(word, media_type=TEXT)


def reply_for(answer: Any, note: requestinfo.Note | None = None) -> Response:
    """A handler answers a text line (str) or a JSON object (anything else)."""
    if isinstance(answer, str):
        return text_reply(answer, note)
    return Response(jsonutil.dumps(answer), media_type="application/json")


@router.api_route("/stubs/handler_api.php", methods=["GET", "POST"])
@router.api_route("/handler_api.php", methods=["GET", "POST"])
async def dispatch(request: Request) -> Response:
    ctx: HubContext = request.app.state.ctx
    address = request.client.host if request.client else ""
    note = requestinfo.attach(request.scope, "smsactivate", "unknown")
    try:
        params = await read_params(request)
        # The key is checked before the action: an unknown key is BAD_KEY whatever it asks.
        account = await authenticate(ctx.db, ctx.key_cache, params.text("api_key"))
        note.account_id = account.id
        action = params.text("action") or ""
        handler = TABLE.methods.get(action)
        if handler is None:
            return text_reply("BAD_ACTION", note)
        note.method = action  # only known actions become a metric label
        return reply_for(await handler(Call(ctx, params, account, address)), note)
    except Reply as reply:
        return text_reply(reply.word, note)
    except DomainError as error:
        return text_reply(word_for(error), note)
    except BadParam:
        return text_reply("BAD_DATA", note)
    except DBAPIError:
        log.exception("storage error in sms-activate %s", request.query_params.get("action"))
        return text_reply(GENERIC_ERROR, note)

"""/api/<method>.php: authenticate, dispatch, and turn every refusal into an onlinesim word."""

from __future__ import annotations

import logging

from fastapi import APIRouter
from sqlalchemy.exc import DBAPIError
from starlette.requests import Request
from starlette.responses import Response

from simgate.core import jsonutil, requestinfo
from simgate.core.errors import DomainError
from simgate.dialects.common.apikey import authenticate
from simgate.dialects.common.params import BadParam, read_params
from simgate.dialects.common.registry import Call, PublicCall, Reply
from simgate.dialects.onlinesim.registry import TABLE
from simgate.dialects.onlinesim.words import GENERIC_ERROR, word_for
from simgate.hub.context import HubContext

log = logging.getLogger(__name__)
router = APIRouter()


def json_reply(body: object) -> Response:
    return Response(jsonutil.dumps(body), media_type="application/json")


def error_reply(word: str, note: requestinfo.Note | None = None) -> Response:
    if note is not None:
        note.word = word
    return json_reply({"response": word})


@router.api_route("/api/{name}.php", methods=["GET", "POST"])
async def dispatch(name: str, request: Request) -> Response:
    ctx: HubContext = request.app.state.ctx
    handler = TABLE.methods.get(name)
    public = TABLE.public.get(name)
    # Only known names become a metric label: the path is the client's to choose.
    note = requestinfo.attach(request.scope, "onlinesim", name if handler or public else "unknown")
    if handler is None and public is None:
        return error_reply("REQUEST_NOT_FOUND", note)
    address = request.client.host if request.client else ""
    try:
        params = await read_params(request)
        if public is not None:
            return json_reply(await public(PublicCall(ctx, params, address)))
        assert handler is not None
        account = await authenticate(ctx.db, ctx.key_cache, params.text("apikey") or params.bearer)
        note.account_id = account.id
        return json_reply(await handler(Call(ctx, params, account, address)))
    except Reply as reply:
        return error_reply(reply.word, note)
    except DomainError as error:
        return error_reply(word_for(error), note)
    except BadParam:
        return error_reply("ERROR_PARAMS", note)
    except DBAPIError:
        log.exception("storage error in %s", name)
        return error_reply(GENERIC_ERROR, note)

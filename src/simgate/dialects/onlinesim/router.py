"""/api/<method>.php: authenticate, dispatch, and turn every refusal into an onlinesim word."""

from __future__ import annotations

import logging

from fastapi import APIRouter
from sqlalchemy.exc import DBAPIError
from starlette.requests import Request
from starlette.responses import Response

# Importing the method modules fills the method table.
import simgate.dialects.onlinesim.methods_account
import simgate.dialects.onlinesim.methods_auth
import simgate.dialects.onlinesim.methods_catalog
import simgate.dialects.onlinesim.methods_forwarding
import simgate.dialects.onlinesim.methods_rental  # noqa: F401
from simgate.accounts import service as accounts
from simgate.core import jsonutil
from simgate.core.errors import DomainError
from simgate.dialects.onlinesim.params import BadParam, Params, read_params
from simgate.dialects.onlinesim.registry import (
    METHODS,
    PUBLIC_METHODS,
    Call,
    PublicCall,
    Reply,
)
from simgate.dialects.onlinesim.words import GENERIC_ERROR, word_for
from simgate.hub.context import HubContext
from simgate.models import Account

log = logging.getLogger(__name__)
router = APIRouter()


def json_reply(body: object) -> Response:
    return Response(jsonutil.dumps(body), media_type="application/json")


def error_reply(word: str) -> Response:
    return json_reply({"response": word})


async def authenticate(ctx: HubContext, params: Params) -> Account:
    key = params.text("apikey") or params.bearer
    if not key:
        raise Reply("ERROR_NO_KEY")
    cached = ctx.key_cache.get(key)
    if cached is not None:
        accounts.check_access(cached)
        return cached
    async with ctx.db.read() as session:
        account = await accounts.authenticate(session, key)
    ctx.key_cache.put(key, account)
    return account


@router.api_route("/api/{name}.php", methods=["GET", "POST"])
async def dispatch(name: str, request: Request) -> Response:
    ctx: HubContext = request.app.state.ctx
    handler = METHODS.get(name)
    public = PUBLIC_METHODS.get(name)
    if handler is None and public is None:
        return error_reply("REQUEST_NOT_FOUND")
    address = request.client.host if request.client else ""
    try:
        params = await read_params(request)
        if public is not None:
            return json_reply(await public(PublicCall(ctx, params, address)))
        assert handler is not None
        account = await authenticate(ctx, params)
        return json_reply(await handler(Call(ctx, params, account, address)))
    except Reply as reply:
        return error_reply(reply.word)
    except DomainError as error:
        return error_reply(word_for(error))
    except BadParam:
        return error_reply("ERROR_PARAMS")
    except DBAPIError:
        log.exception("storage error in %s", name)
        return error_reply(GENERIC_ERROR)

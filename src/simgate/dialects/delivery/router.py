"""`/delivery-api/get/<method>.php`, GET or POST (query string, form or JSON body).

Every reply is HTTP 200 with a JSON body, errors included, as the spec's clients expect; a
storage failure answers error 25 rather than a 500. A signature is single-use across every
method, reads included: a replay of the same method and parameters gets the first reply back,
any other use of the signature gets error 6.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Request, Response
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.exceptions import HTTPException

from simgate.core import jsonutil
from simgate.core.errors import DomainError
from simgate.delivery import auth, service
from simgate.delivery.auth import SignedRequest
from simgate.delivery.errors import DeliveryDisabled
from simgate.dialects.delivery import codec
from simgate.hub.context import HubContext

log = logging.getLogger(__name__)
router = APIRouter()

Params = dict[str, str]
Action = Callable[[AsyncSession, HubContext, SignedRequest, Params], Awaitable[Any]]


def _json(body: Any, status_code: int = 200) -> Response:
    raw = body if isinstance(body, bytes) else jsonutil.dumps(body)
    return Response(raw, status_code=status_code, media_type="application/json")


def _scalar(value: Any) -> str | None:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, str | int | float):
        return str(value)
    return None


def _usable(pairs: Any) -> Params:
    # No parameter means a NUL (and PostgreSQL text cannot hold one): such a value is
    # dropped, so the request fails its signature or misses the parameter, in the spec's words.
    return {k: v for k, v in pairs if v is not None and "\x00" not in v}


async def read_params(request: Request) -> Params:
    """Query string, then the body on top (PHP's $_REQUEST order); the last repeat wins.

    A body past the size limit raises BodyTooLarge, which the app answers with 413: the
    spec has no error number for it."""
    params = _usable(request.query_params.items())
    if request.method != "POST":
        return params
    content_type = request.headers.get("content-type", "")
    try:
        if "json" in content_type:
            body = jsonutil.loads(await request.body() or b"{}")
            if isinstance(body, dict):
                params.update(_usable((k, _scalar(raw)) for k, raw in body.items()))
        else:
            form = await request.form()
            params.update(_usable((k, v) for k, v in form.multi_items() if isinstance(v, str)))
    except (ValueError, AssertionError, HTTPException):
        log.info("unreadable delivery-api body ignored")
    return params


async def _read(ctx: HubContext, method: str, params: Params, action: Action) -> Any:
    """A read runs first, outside the write transaction; then its signature is spent together
    with its reply in one INSERT. Having read for a signature found used changes nothing."""
    now = ctx.clock.now()
    async with ctx.db.read() as session:
        signed = await auth.verify(session, ctx.settings, params, now)
        try:
            body = await action(session, ctx, signed, params)
        except DomainError as exc:
            body = codec.domain_error(exc)
    raw = jsonutil.dumps(body)
    async with ctx.db.transaction() as session:
        replay = await auth.execute_once(
            session, ctx.settings, signed, method, params, now, reply=raw.decode()
        )
    return raw if replay is None else _replayed(signed, replay)


async def _write(ctx: HubContext, method: str, params: Params, action: Action) -> Any:
    """The signature is spent first, so a change is never made twice, even by replicas."""
    async with ctx.db.transaction() as session:
        now = ctx.clock.now()
        signed = await auth.verify(session, ctx.settings, params, now)
        replay = await auth.execute_once(session, ctx.settings, signed, method, params, now)
        if replay is not None:
            return _replayed(signed, replay)
        # A refused request spent its signature too: its error is committed as the reply,
        # with whatever the action wrote undone.
        try:
            async with session.begin_nested():
                body = await action(session, ctx, signed, params)
        except DomainError as exc:
            body = codec.domain_error(exc)
        raw = jsonutil.dumps(body)
        await auth.remember_reply(session, signed, raw.decode())
        return raw


def _replayed(signed: SignedRequest, replay: auth.Replay) -> Any:
    if replay.reply is None:
        log.info("delivery-api signature of %s reused for other parameters", signed.account.name)
        return codec.error(codec.ERROR_CODES["BAD_SIGNATURE"])
    log.info("replayed delivery-api request of %s answered from store", signed.account.name)
    return replay.reply.encode()


async def _balance(s: AsyncSession, ctx: HubContext, signed: SignedRequest, p: Params) -> Any:
    available = await service.available_balance(s, signed.account.id)
    return codec.balance_reply(available, ctx.settings.currency_exponent, ctx.settings.currency)


async def _status(s: AsyncSession, ctx: HubContext, signed: SignedRequest, p: Params) -> Any:
    return codec.status_reply(await service.status(s, signed.account.id, p.get("state", "")))


async def _send(s: AsyncSession, ctx: HubContext, signed: SignedRequest, p: Params) -> Any:
    recipients = await service.send(
        s,
        ctx.settings,
        signed.account.id,
        phones=p.get("phone", ""),
        text=p.get("text", ""),
        sender=p.get("sender", ""),
        now=ctx.clock.now(),
    )
    return codec.send_reply(recipients, ctx.settings.currency_exponent)


async def _templates(s: AsyncSession, ctx: HubContext, signed: SignedRequest, p: Params) -> Any:
    return codec.templates_reply(await service.templates(s, signed.account.id))


async def _add_template(s: AsyncSession, ctx: HubContext, signed: SignedRequest, p: Params) -> Any:
    template_id = await service.add_template(
        s, signed.account.id, p.get("name", ""), p.get("text", ""), ctx.clock.now()
    )
    return {"id": str(template_id)}


async def _senders(s: AsyncSession, ctx: HubContext, signed: SignedRequest, p: Params) -> Any:
    return codec.senders_reply(await service.senders(s, signed.account.id))


async def _add_sender(s: AsyncSession, ctx: HubContext, signed: SignedRequest, p: Params) -> Any:
    name = p.get("sender", "")
    state = await service.request_sender(s, signed.account.id, name, ctx.clock.now())
    return {name.strip(): state}


READS: dict[str, Action] = {
    "balance": _balance,
    "status": _status,
    "template": _templates,
    "senders": _senders,
}
WRITES: dict[str, Action] = {
    "send": _send,
    "add_template": _add_template,
    # Not in the 2019 spec, which has no way to ask for a sender name: signed like the rest.
    "add_sender": _add_sender,
}


def _timestamp(ctx: HubContext) -> Any:
    if not ctx.settings.delivery_enabled:
        raise DeliveryDisabled("the delivery-api is switched off")
    return {"timestamp": auth.epoch_seconds(ctx.clock.now())}


async def _dispatch(ctx: HubContext, method: str, params: Params) -> Any:
    if method == "timestamp":
        return _timestamp(ctx)
    if method in READS:
        return await _read(ctx, method, params, READS[method])
    return await _write(ctx, method, params, WRITES[method])


@router.api_route("/delivery-api/get/{method}.php", methods=["GET", "POST"])
async def delivery_api(method: str, request: Request) -> Response:
    if method != "timestamp" and method not in READS and method not in WRITES:
        return _json({"error": "unknown method"}, status_code=404)
    ctx: HubContext = request.app.state.ctx
    try:
        return _json(await _dispatch(ctx, method, await read_params(request)))
    except DomainError as exc:
        return _json(codec.domain_error(exc))
    except SQLAlchemyError:
        log.exception("delivery-api %s failed on storage", method)
        return _json(codec.error(codec.STORAGE_ERROR))

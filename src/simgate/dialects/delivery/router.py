"""`/delivery-api/get/<method>.php`, GET or POST (query string, form or JSON body).

Every reply is HTTP 200 with a JSON body, errors included, as the spec's clients expect; a
storage failure answers error 25 rather than a 500. A signature is single-use across every
method, reads included: a replay of the same method and parameters gets the first reply back,
any other use of the signature gets error 6.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request, Response
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException

from simgate.core import jsonutil
from simgate.core.errors import DomainError
from simgate.delivery import auth, flows
from simgate.delivery.errors import DeliveryDisabled
from simgate.dialects.delivery import codec
from simgate.hub.context import HubContext

log = logging.getLogger(__name__)
router = APIRouter()

Params = dict[str, str]


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


# Each method: the call it makes, read from the parameters, and its reply renderer.
Method = tuple[Callable[[Params], Any], Callable[[HubContext, Params, Any], Any]]


def _balance(ctx: HubContext, p: Params, available: int) -> Any:
    return codec.balance_reply(available, ctx.settings.currency_exponent, ctx.settings.currency)


def _send(ctx: HubContext, p: Params, recipients: Any) -> Any:
    return codec.send_reply(recipients, ctx.settings.currency_exponent)


READS: dict[str, Method] = {
    "balance": (lambda p: flows.Balance(), _balance),
    "status": (
        lambda p: flows.MessageStates(p.get("state", "")),
        lambda ctx, p, states: codec.status_reply(states),
    ),
    "template": (lambda p: flows.Templates(), lambda ctx, p, rows: codec.templates_reply(rows)),
    "senders": (lambda p: flows.Senders(), lambda ctx, p, rows: codec.senders_reply(rows)),
}
WRITES: dict[str, Method] = {
    "send": (
        lambda p: flows.Send(p.get("phone", ""), p.get("text", ""), p.get("sender", "")),
        _send,
    ),
    "add_template": (
        lambda p: flows.AddTemplate(p.get("name", ""), p.get("text", "")),
        lambda ctx, p, template_id: {"id": str(template_id)},
    ),
    # Not in the 2019 spec, which has no way to ask for a sender name: signed like the rest.
    "add_sender": (
        lambda p: flows.RequestSender(p.get("sender", "")),
        lambda ctx, p, state: {p.get("sender", "").strip(): state},
    ),
}


def _renderer(ctx: HubContext, params: Params, reply: Callable[..., Any]) -> flows.Render:
    def render(result: Any) -> bytes:
        body = (
            codec.domain_error(result)
            if isinstance(result, DomainError)
            else reply(ctx, params, result)
        )
        return jsonutil.dumps(body)

    return render


def _timestamp(ctx: HubContext) -> Any:
    if not ctx.settings.delivery_enabled:
        raise DeliveryDisabled("the delivery-api is switched off")
    return {"timestamp": auth.epoch_seconds(ctx.clock.now())}


async def _dispatch(ctx: HubContext, method: str, params: Params) -> Any:
    if method == "timestamp":
        return _timestamp(ctx)
    if method in READS:
        call, reply = READS[method]
        raw = await flows.signed_read(
            ctx.deps, method, params, call(params), _renderer(ctx, params, reply)
        )
    else:
        call, reply = WRITES[method]
        raw = await flows.signed_write(
            ctx.deps, method, params, call(params), _renderer(ctx, params, reply)
        )
    return codec.error(codec.ERROR_CODES["BAD_SIGNATURE"]) if raw is None else raw


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

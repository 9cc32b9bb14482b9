"""PUSH_SMS webhook (agent → hub). Answers SUCCESS only after the SMS is committed."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter
from sqlalchemy.exc import DBAPIError
from starlette.requests import Request
from starlette.responses import Response

from simgate.activations import intake
from simgate.core import jsonutil
from simgate.core.gzipbody import gunzip_limited
from simgate.hub.context import HubContext
from simgate.suppliers import service as suppliers

log = logging.getLogger(__name__)
router = APIRouter()

MAX_BODY = 1 << 20


def _reply(status: str, error: str | None = None) -> Response:
    body: dict[str, Any] = {"status": status}
    if error:
        body["error"] = error
    return Response(jsonutil.dumps(body), media_type="application/json")


def _decode(raw: bytes, encoding: str) -> Any:
    if "gzip" in encoding or raw[:2] == b"\x1f\x8b":
        raw = gunzip_limited(raw, MAX_BODY)
    return jsonutil.loads(raw)


def _integer(body: dict[str, Any], *names: str) -> int | None:
    """Strict agents send integers; sloppy ones send strings or other spellings."""
    for name in names:
        value = body.get(name)
        if isinstance(value, bool):
            return None
        if isinstance(value, int) and value >= 0:
            return value
        if isinstance(value, str) and value.strip().lstrip("+").isdigit():
            return int(value.strip().lstrip("+"))
    return None


def parse_push(body: Any) -> tuple[str, intake.PushedSms] | str:
    """(key, sms) or the error text for a malformed push."""
    if not isinstance(body, dict):
        return "body must be a JSON object"
    key = body.get("key")
    if not isinstance(key, str) or not key:
        return "key is required"
    sms_id = _integer(body, "smsId", "smsID", "sms_id")
    phone = _integer(body, "phone")
    text = body.get("text")
    sender = body.get("phoneFrom", body.get("phone_from"))
    if sms_id is None or phone is None or not isinstance(text, str) or sender is None:
        return "smsId, phone, phoneFrom and text are required"
    return key, intake.PushedSms(0, sms_id, str(phone), str(sender), text)


@router.post("/push_sms_webhook")
@router.post("/agent/api/sms")
async def push_sms(request: Request) -> Response:
    ctx: HubContext = request.app.state.ctx
    raw = await request.body()
    if len(raw) > MAX_BODY:
        return _reply("ERROR", "body too large")
    try:
        body = _decode(raw, request.headers.get("content-encoding", ""))
    except ValueError:  # BodyError and JSON errors alike
        return _reply("ERROR", "body is not (gzipped) JSON")
    parsed = parse_push(body)
    if isinstance(parsed, str):
        return _reply("ERROR", parsed)
    key, sms = parsed
    try:
        async with ctx.db.transaction() as session:
            supplier = await suppliers.by_push_key(session, key)
            if supplier is None:
                return _reply("ERROR", "WRONG_KEY")
            sms = intake.PushedSms(supplier.id, sms.sms_id, sms.phone, sms.sender, sms.text)
            outcome = await intake.receive(session, sms, ctx.clock.now())
    except DBAPIError:
        log.exception("could not store SMS %s", sms.sms_id)
        return _reply("ERROR", "TRY_AGAIN_LATER")  # not stored: the agent will resend
    if outcome == intake.ACCEPTED:
        return _reply("SUCCESS")
    return _reply("ERROR", outcome)

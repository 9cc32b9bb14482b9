"""PUSH_SMS webhook (agent → hub). Answers SUCCESS only after the SMS is committed."""

from __future__ import annotations

import logging
import time
from typing import Any

from fastapi import APIRouter
from sqlalchemy.exc import DBAPIError
from starlette.requests import Request
from starlette.responses import Response

from simgate.activations import flows, intake
from simgate.core import jsonutil, metrics, requestinfo
from simgate.core.bodylimit import BodyTooLarge
from simgate.core.gzipbody import gunzip_limited
from simgate.core.integers import UINT64, NotAnInteger, read_int
from simgate.hub.context import HubContext

log = logging.getLogger(__name__)
router = APIRouter()

MAX_SENDER = 64  # the sms.sender column


def _reply(status: str, error: str | None = None, note: requestinfo.Note | None = None) -> Response:
    if note is not None:
        note.word = status if error is None else error
    body: dict[str, Any] = {"status": status}
    if error:
        body["error"] = error
    return Response(jsonutil.dumps(body), media_type="application/json")


def _decode(raw: bytes, encoding: str, max_bytes: int) -> Any:
    if "gzip" in encoding or raw[:2] == b"\x1f\x8b":
        raw = gunzip_limited(raw, max_bytes)
    return jsonutil.loads(raw)


def _integer(body: dict[str, Any], *names: str) -> int | None:
    """Strict agents send integers; sloppy ones send strings or other spellings."""
    for name in names:
        value = body.get(name)
        if value is None:
            continue
        try:
            return read_int(value, UINT64)
        except NotAnInteger:
            return None
    return None


def _sender(body: dict[str, Any]) -> str | None:
    value = body.get("phoneFrom", body.get("phone_from"))
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    text = str(value)
    return text if "\x00" not in text and len(text) <= MAX_SENDER else None


def parse_push(body: Any) -> tuple[str, intake.PushedSms] | str:
    """(key, sms) or the error text for a malformed push."""
    if not isinstance(body, dict):
        return "body must be a JSON object"
    key = body.get("key")
    if not isinstance(key, str) or not key or "\x00" in key:
        return "key is required"
    sms_id = _integer(body, "smsId", "smsID", "sms_id")
    phone = _integer(body, "phone")
    text = body.get("text")  # may hold U+0000 (UCS-2 SMS): stored as it came
    sender = _sender(body)
    if sms_id is None or phone is None or not isinstance(text, str) or sender is None:
        return "smsId, phone, phoneFrom and text are required"
    return key, intake.PushedSms(0, sms_id, str(phone), sender, text)


@router.post("/push_sms_webhook")
@router.post("/agent/api/sms")
async def push_sms(request: Request) -> Response:
    ctx: HubContext = request.app.state.ctx
    started = time.perf_counter()
    note = requestinfo.attach(request.scope, "smshub", "PUSH_SMS")
    max_bytes = ctx.settings.max_body_bytes
    try:
        raw = await request.body()  # the body limit stops it at max_bytes
    except BodyTooLarge:
        return _reply("ERROR", "body too large", note)
    try:
        body = _decode(raw, request.headers.get("content-encoding", ""), max_bytes)
    except ValueError:  # BodyError and JSON errors alike
        return _reply("ERROR", "body is not (gzipped) JSON", note)
    parsed = parse_push(body)
    if isinstance(parsed, str):
        note.word = "BAD_PUSH"  # the error text names fields: not a metric label
        return _reply("ERROR", parsed)
    key, sms = parsed
    try:
        outcome = await flows.receive_push(ctx.db, ctx.clock, key, sms)
    except DBAPIError:
        log.exception("could not store SMS %s", sms.sms_id)
        return _reply("ERROR", "TRY_AGAIN_LATER", note)  # not stored: the agent will resend
    if outcome == intake.ACCEPTED:
        # Committed: the SMS and its code are now what getState answers.
        metrics.current().push_to_visible_seconds.observe(time.perf_counter() - started)
        return _reply("SUCCESS", note=note)
    return _reply("ERROR", outcome, note)

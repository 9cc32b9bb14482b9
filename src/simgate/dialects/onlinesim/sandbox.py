"""/demo/api/<method>.php: generated answers for client developers; nothing is stored, no
money moves. `err=<WORD>` answers with that error word."""

from __future__ import annotations

import random
from typing import Any

from starlette.types import Receive, Scope, Send

from simgate.core.integers import INT32
from simgate.dialects.common.endpoint import CLIENT_GONE, Headers, send_answer
from simgate.dialects.common.params import BadParam, Params
from simgate.dialects.common.reading import ClientGone, read_params
from simgate.dialects.common.registry import Reply
from simgate.dialects.onlinesim.methods_rental import read_tzid
from simgate.dialects.onlinesim.router import json_answer
from simgate.dialects.onlinesim.words import GENERIC_ERROR, WORDS

PATH = "/demo/api/{name}.php"

SANDBOX_METHODS = {
    "getNum",
    "getState",
    "setOperationOk",
    "getService",
    "getServiceNumber",
    "getNumRepeat",
}
# `err=` simulates a refusal production can give; any other word would teach a client
# developer to handle an answer the real API never sends.
PRODUCTION_WORDS = frozenset(WORDS.values()) | {
    GENERIC_ERROR,
    "ERROR_NO_KEY",
    "ERROR_WRONG_KEY",
    "ERROR_PARAMS",
    "ERROR_NO_SERVICE",
    "ERROR_NO_NUMBER",
    "ERROR_NO_TZID",
    "ERROR_WRONG_TZID",
    "ERROR_NO_OPERATIONS",
    "NO_COUNTRY",
    "NO_NUMBER",
    "SERVICE_TO_NUMBER_EMPTY",
    "REQUEST_NOT_FOUND",
}


def _fake_number(rng: random.Random) -> str:
    return "+79" + "".join(str(rng.randint(0, 9)) for _ in range(9))


def _answer(name: str, tzid: int, rng: random.Random) -> Any:
    if name in ("getNum", "getNumRepeat", "setOperationOk"):
        return {"response": 1, "tzid": tzid}
    if name == "getState":
        code = rng.randint(10000, 99999)
        return [
            {
                "tzid": tzid,
                "response": "TZ_NUM_ANSWER",
                "service": "vk",
                "number": _fake_number(rng),
                "msg": f"VK: {code}",
                "time": 840,
                "form": "index",
                "country": 7,
                "sum": 14,
            }
        ]
    if name == "getService":
        return {"response": 1, "service": ["VKcom", "WhatsApp", "Telegram"]}
    return {"response": 1, "number": [_fake_number(rng)[1:] for _ in range(3)]}


def _check(name: str, params: Params) -> int | None:
    """Refuse what production would refuse for `name`; returns the tzid asked about."""
    if name in ("getNum", "getNumRepeat", "getServiceNumber") and not params.text("service"):
        raise Reply("ERROR_NO_SERVICE")
    if name == "getNum":
        if params.integer("form") not in (None, 1, 3):
            raise Reply("ERROR_PARAMS")
        try:
            params.integer("country", 7, INT32)
        except BadParam:
            raise Reply("NO_COUNTRY") from None
        params.integer("region", bounds=INT32)
        params.switch("extension")
    if name == "getNumRepeat":
        number = (params.text("number") or "").lstrip("+")
        if not number:
            raise Reply("ERROR_NO_NUMBER")
        if not (number.isascii() and number.isdigit()):
            raise Reply("ERROR_PARAMS")
    if name in ("getState", "setOperationOk"):
        return read_tzid(params, required=name == "setOperationOk")
    return None


async def _reply(name: str, scope: Scope, receive: Receive, max_body: int) -> Any:
    if name not in SANDBOX_METHODS:
        return {"response": "REQUEST_NOT_FOUND"}
    try:
        params = await read_params(scope, receive, max_body)
        if not (params.text("apikey") or params.bearer):
            raise Reply("ERROR_NO_KEY")
        tzid = _check(name, params)
        err = params.text("err")
    except Reply as reply:
        return {"response": reply.word}
    except BadParam:
        return {"response": "ERROR_PARAMS"}
    if err:
        return {"response": err if err in PRODUCTION_WORDS else "ERROR_PARAMS"}
    rng = random.Random(tzid)
    return _answer(name, tzid or rng.randint(1_000_000, 9_999_999), rng)


class Sandbox:
    """The sandbox as a bare ASGI endpoint; the method is the route's `name` path parameter
    (or the name the hub's fast path found in the path)."""

    def __init__(self, max_body: int) -> None:
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.serve(scope, receive, send, scope.get("path_params", {}).get("name", ""))

    async def serve(
        self, scope: Scope, receive: Receive, send: Send, name: str, headers: Headers = ()
    ) -> int:
        """Answer one request for method `name`; the status sent (CLIENT_GONE: none)."""
        try:
            answer = json_answer(await _reply(name, scope, receive, self.max_body))
        except ClientGone:
            return CLIENT_GONE
        return await send_answer(send, answer, headers)

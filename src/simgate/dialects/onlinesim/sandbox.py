"""/demo/api/<method>.php: generated answers for client developers; nothing is stored, no
money moves. `err=<WORD>` answers with that error word."""

from __future__ import annotations

import random
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from simgate.core import jsonutil
from simgate.dialects.onlinesim.params import read_params

router = APIRouter()

SANDBOX_METHODS = {
    "getNum",
    "getState",
    "setOperationOk",
    "getService",
    "getServiceNumber",
    "getNumRepeat",
}
_ERROR_WORD_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ_")


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


@router.api_route("/demo/api/{name}.php", methods=["GET", "POST"])
async def sandbox(name: str, request: Request) -> Response:
    params = await read_params(request)
    if name not in SANDBOX_METHODS:
        body: Any = {"response": "REQUEST_NOT_FOUND"}
    elif not (params.text("apikey") or params.bearer):
        body = {"response": "ERROR_NO_KEY"}
    elif (err := params.text("err")) and set(err) <= _ERROR_WORD_CHARS:
        body = {"response": err}
    else:
        tzid = params.integer("tzid") if (params.text("tzid") or "").isdigit() else None
        rng = random.Random(tzid)
        body = _answer(name, tzid or rng.randint(1_000_000, 9_999_999), rng)
    return Response(jsonutil.dumps(body), media_type="application/json")

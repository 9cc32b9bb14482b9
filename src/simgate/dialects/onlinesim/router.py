"""/api/<method>.php: the onlinesim dialect as the shared buyer dispatcher serves it — its
method table, its words, and JSON for every answer, refusals included."""

from __future__ import annotations

from typing import Any

from simgate.core import jsonutil
from simgate.dialects.common.dispatch import Answer, BuyerDialect
from simgate.dialects.onlinesim.registry import TABLE
from simgate.dialects.onlinesim.words import RULE

PATH = "/api/{name}.php"
JSON = b"application/json"


def json_answer(body: object) -> Answer:
    return Answer(jsonutil.dumps(body), JSON)


def _render(result: Any) -> tuple[Answer, None]:
    return json_answer(result), None


def _refuse(word: str) -> Answer:
    return json_answer({"response": word})


DIALECT = BuyerDialect(
    name="onlinesim",
    table=TABLE,
    words=RULE,
    render=_render,
    refuse=_refuse,
    bad_param="ERROR_PARAMS",
    unknown_method="REQUEST_NOT_FOUND",
    key_param="apikey",
    accepts_bearer=True,  # `Authorization: Bearer <key>`, as some clients send it
)

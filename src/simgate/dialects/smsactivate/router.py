"""/stubs/handler_api.php: the sms-activate dialect as the shared buyer dispatcher serves it —
the method is the `action` parameter, read after the key, and every refusal is a bare word.

What the clients need from the transport (see the protocol notes): HTTP 200 even for errors,
text bodies without a trailing newline, `application/json` on every JSON reply, and the
parameters in the query of a GET or of a POST with an empty body.
"""

from __future__ import annotations

from typing import Any

from simgate.core import jsonutil
from simgate.dialects.common.dispatch import Answer, BuyerDialect
from simgate.dialects.smsactivate.registry import TABLE
from simgate.dialects.smsactivate.words import RULE

PATHS = ("/stubs/handler_api.php", "/handler_api.php")
TEXT = b"text/plain; charset=utf-8"
JSON = b"application/json"


def _render(result: Any) -> tuple[Answer, str | None]:
    """A handler answers a text line (str) or a JSON object (anything else)."""
    if isinstance(result, str):
        return Answer(result.encode(), TEXT), result.split(":", 1)[0]  # ACCESS_NUMBER:id:phone
    return Answer(jsonutil.dumps(result), JSON), None


def _refuse(word: str) -> Answer:
    return Answer(word.encode(), TEXT)


DIALECT = BuyerDialect(
    name="smsactivate",
    table=TABLE,
    words=RULE,
    render=_render,
    refuse=_refuse,
    bad_param="BAD_DATA",
    unknown_method="BAD_ACTION",
    key_param="api_key",
    action_param="action",
)

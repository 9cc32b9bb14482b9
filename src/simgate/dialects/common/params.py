"""Request parameters as real clients send them: query string, form body or JSON body."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.exceptions import HTTPException
from starlette.requests import Request

from simgate.core.bodylimit import BodyTooLarge
from simgate.core.integers import INT64, NotAnInteger, read_int

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


class BadParam(ValueError):
    """A parameter is present but not of the shape the method needs."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


class Params:
    def __init__(self, values: dict[str, list[Any]], bearer: str | None = None) -> None:
        self._values = values
        self.bearer = bearer

    def raw(self, name: str) -> Any:
        found = self._values.get(name)
        return found[-1] if found else None

    def text(self, name: str, default: str | None = None) -> str | None:
        value = self.raw(name)
        if value is None or isinstance(value, (list, dict)):
            return default
        text = str(value).strip()
        if "\x00" in text:  # no parameter means a NUL, and PostgreSQL text cannot hold one
            raise BadParam(name)
        return text

    def integer(
        self, name: str, default: int | None = None, bounds: tuple[int, int] = INT64
    ) -> int | None:
        """An integer within `bounds` (the column it will meet); `default` when absent."""
        value = self.text(name)
        if value is None or value == "":
            return default
        try:
            return read_int(value, bounds)
        except NotAnInteger:
            raise BadParam(name) from None

    def flag(self, name: str, default: bool = False) -> bool:
        value = self.raw(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        word = str(value).strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise BadParam(name)

    def text_list(self, name: str) -> list[str]:
        """reject=…, reject[]=…, a JSON array, or a comma list — all mean the same."""
        items: list[Any] = [*self._values.get(name, []), *self._values.get(f"{name}[]", [])]
        out: list[str] = []
        for item in items:
            if isinstance(item, list):
                out.extend(str(x) for x in item)
                continue
            text = str(item).strip()
            if text.startswith("["):
                try:
                    parsed = orjson.loads(text)
                except orjson.JSONDecodeError:
                    raise BadParam(name) from None
                out.extend(str(x) for x in (parsed if isinstance(parsed, list) else [parsed]))
            else:
                out.extend(part for part in text.split(","))
        return [x.strip().lstrip("+") for x in out if x.strip()]


async def read_params(request: Request) -> Params:
    """Merge query, form and JSON parameters; later sources win for single values."""
    values: dict[str, list[Any]] = {}
    for key, value in request.query_params.multi_items():
        values.setdefault(key, []).append(value)
    if request.method == "POST":
        try:
            await _merge_body(request, values)
        except BodyTooLarge:
            raise BadParam("body") from None
    auth = request.headers.get("authorization", "")
    bearer = auth[7:].strip() if auth.lower().startswith("bearer ") else None
    return Params(values, bearer)


async def _merge_body(request: Request, values: dict[str, list[Any]]) -> None:
    """A form, or a JSON object; any other non-empty body is a malformed request."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        try:
            form = await request.form()
        except HTTPException:  # Starlette's word for a multipart body it cannot parse
            raise BadParam("body") from None
        for key, value in form.multi_items():
            if isinstance(value, str):
                values.setdefault(key, []).append(value)
        return
    body = await request.body()
    if not body.strip():
        return
    try:
        parsed = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise BadParam("body") from None
    if not isinstance(parsed, dict):
        raise BadParam("body")
    for key, value in parsed.items():
        values.setdefault(str(key), []).append(value)

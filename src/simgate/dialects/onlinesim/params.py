"""Request parameters as real clients send them: query string, form body or JSON body."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request

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
        return str(value).strip()

    def integer(self, name: str, default: int | None = None) -> int | None:
        value = self.text(name)
        if value is None or value == "":
            return default
        try:
            return int(value.lstrip("+"))
        except ValueError:
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
        await _merge_body(request, values)
    auth = request.headers.get("authorization", "")
    bearer = auth[7:].strip() if auth.lower().startswith("bearer ") else None
    return Params(values, bearer)


async def _merge_body(request: Request, values: dict[str, list[Any]]) -> None:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.form()
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
        return  # not JSON: the method will find its parameters missing and say so
    if isinstance(parsed, dict):
        for key, value in parsed.items():
            values.setdefault(str(key), []).append(value)

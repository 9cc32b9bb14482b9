"""Request parameters as real clients send them (read by `reading.py`), and their shapes."""

from __future__ import annotations

from typing import Any

import orjson

from simgate.core.integers import INT32, INT64, NotAnInteger, read_int

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

    def switch(self, name: str, default: int | None = None) -> int | None:
        """A flag-like integer (getNum's `extension`): 0/1 as a number or a string, or a boolean
        in any spelling — clients send `"extension": false`. Ids and amounts use `integer`,
        which refuses booleans: `true` is never a price or a tzid."""
        value = self.raw(name)
        if isinstance(value, bool):
            return int(value)
        word = (self.text(name) or "").lower()
        if word in TRUE_WORDS:
            return 1
        if word and word in FALSE_WORDS:
            return 0
        return self.integer(name, default, INT32)

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
        out = [part for item in items for part in _list_items(name, item)]
        return [x.strip().lstrip("+") for x in out if x.strip()]


def _list_items(name: str, item: Any, nested: bool = False) -> list[str]:
    """One value of a list parameter: a JSON array may hold numbers or comma lists, one level
    deep (a deeper one is no client's, and recursion must not follow a hostile body down)."""
    if item is None or item is False:  # a client's JSON default for "no list"
        return []
    if isinstance(item, (bool, dict)) or (nested and isinstance(item, list)):
        raise BadParam(name)
    if isinstance(item, list):
        return [part for x in item for part in _list_items(name, x, nested=True)]
    text = str(item).strip()
    if text.startswith("["):
        try:
            parsed = orjson.loads(text)
        except orjson.JSONDecodeError:
            raise BadParam(name) from None
        return _list_items(name, parsed if isinstance(parsed, list) else [parsed], nested)
    return text.split(",")


def add_value(values: dict[str, list[Any]], name: str, value: Any) -> None:
    """One parameter under its name without surrounding spaces: a popular sms-activate client
    sends `country `, `operator ` and others with a trailing space."""
    values.setdefault(name.strip(), []).append(value)

"""Column types that carry a Python value the databases cannot store as it is."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

# PostgreSQL text cannot hold U+0000, yet a UCS-2 SMS may contain it and must be shown back
# exactly. NUL is written as ESCAPE + "0" and ESCAPE itself as ESCAPE + ESCAPE. The escape is
# U+FFFF, a Unicode noncharacter: no real message carries it, so every stored text without
# a NUL stays byte-for-byte what was received, readable and searchable in SQL as before.
ESCAPE = "\uffff"
_ESCAPED = re.compile(f"{ESCAPE}(.)", re.DOTALL)


def escape_nul(text: str) -> str:
    """The storable form of `text` (identity unless it holds NUL or the escape)."""
    if "\x00" not in text and ESCAPE not in text:
        return text
    return text.replace(ESCAPE, ESCAPE + ESCAPE).replace("\x00", ESCAPE + "0")


def unescape_nul(stored: str) -> str:
    """The text `escape_nul` was given."""
    if ESCAPE not in stored:
        return stored
    return _ESCAPED.sub(lambda m: "\x00" if m[1] == "0" else m[1], stored)


class NulSafeText(TypeDecorator[str]):
    """Text that may contain U+0000, stored the same way on SQLite and PostgreSQL."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        return escape_nul(value) if isinstance(value, str) else value

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        return unescape_nul(value) if isinstance(value, str) else value

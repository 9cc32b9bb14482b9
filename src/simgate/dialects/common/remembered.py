"""Catalogue answers kept as the JSON bytes a dialect sends, until a commit changes the
catalogue or the stock.

getNumbersStats and getServiceList are polled like getState, and their answers are long:
building the objects and encoding them cost several times what reading the listing from
memory does. So each answer is encoded once per catalogue change, not once per request, in
the same memory the listings use (`core.memo`: single flight, dropped by any commit that
writes a catalogue or stock table in any process: the answers carry free-number counts, and
every rental counts one off). A handler returns the bytes as an
`orjson.Fragment`, which the dialect's JSON encoder writes out as they are.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from typing import Any

import orjson

from simgate.core import jsonutil
from simgate.core.changes import CATALOG, STOCK
from simgate.dialects.common.registry import Call

ANSWERS = "dialects.catalogue-answers"


async def catalogue_answer(
    call: Call, key: tuple[Hashable, ...], build: Callable[[], Awaitable[Any]]
) -> orjson.Fragment:
    """The answer `build()` makes, encoded once until the catalogue or the stock changes.

    `key` names the dialect, the method and every parameter the answer depends on."""

    async def load() -> bytes:
        return jsonutil.dumps(await build())

    # Money is written with the currency's exponent: a settings object swapped at run time
    # (tests do) must not be answered from an answer written with another.
    full_key = (*key, call.ctx.settings.currency_exponent)
    return orjson.Fragment(await call.ctx.db.memo(ANSWERS).get((CATALOG, STOCK), full_key, load))

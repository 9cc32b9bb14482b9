"""The one way a worker takes a row for a while: a compare-and-set lease.

A lease is a timestamp column: the row is free when it is NULL or in the past, and taking it
is a single conditional UPDATE that sets it to `until` only where it is free (plus whatever
the caller's own conditions say). Two workers, on any replica, can never both take one row;
a worker that dies just lets its lease run out. Valid on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, or_, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute


@dataclass(frozen=True)
class Lease:
    """The lease column of one table; its table's primary key must be `id`.

    `due_inclusive`: the column is a due time rather than a lock, and a row due exactly now is
    free (a schedule set to "now" must be claimable at once, even with a frozen clock).
    """

    column: InstrumentedAttribute[Any]
    due_inclusive: bool = False

    def free(self, now: dt.datetime) -> ColumnElement[bool]:
        """Rows nobody holds at `now`."""
        if self.due_inclusive:
            return self.column <= now
        return or_(self.column.is_(None), self.column < now)

    async def take(
        self,
        session: AsyncSession,
        ids: Sequence[int],
        now: dt.datetime,
        until: dt.datetime,
        *conditions: ColumnElement[bool],
        **values: Any,
    ) -> int:
        """Hold the free rows of `ids` that meet `conditions` until `until`, setting `values`
        on them too; returns how many were taken."""
        if not ids:
            return 0
        model = self._model()
        result = await session.execute(
            update(model)
            .where(model.id.in_(list(ids)), self.free(now), *conditions)
            .values({self.column.key: until, **values})
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def take_one(
        self,
        session: AsyncSession,
        row_id: int,
        now: dt.datetime,
        until: dt.datetime,
        *conditions: ColumnElement[bool],
        **values: Any,
    ) -> bool:
        """`take` for one row: True when this caller now holds it."""
        return await self.take(session, [row_id], now, until, *conditions, **values) == 1

    async def take_row(
        self,
        session: AsyncSession,
        row_id: int,
        now: dt.datetime,
        until: dt.datetime,
        *conditions: ColumnElement[bool],
        **values: Any,
    ) -> Any:
        """`take_one`, then the row as the UPDATE left it (None when it was not taken)."""
        if not await self.take_one(session, row_id, now, until, *conditions, **values):
            return None
        return await session.get(self._model(), row_id, populate_existing=True)

    def _model(self) -> type[Any]:
        model = self.column.class_
        assert isinstance(model, type)  # a mapped class, never an alias
        return model

"""Declarative base and column helpers shared by every table."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from sqlalchemy import BigInteger, DateTime, Integer, MetaData, Table
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# SQLite only auto-increments a column declared exactly INTEGER PRIMARY KEY.
BigIntPK = BigInteger().with_variant(Integer, "sqlite")

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def table_of(model: type[Base]) -> Table:
    """A model's table, for statements built once on it (Core, with no ORM work per run)."""
    return cast(Table, model.__table__)


def published(topic: str) -> dict[str, Any]:
    """Table arguments: every write to the table marks `topic`, so each process drops what it
    keeps in memory under it (core.changes)."""
    return {"info": {"topic": topic}}


def id_column() -> Mapped[int]:
    return mapped_column(BigIntPK, primary_key=True, autoincrement=True)


def timestamp_column(*, nullable: bool = False, index: bool = False) -> Mapped[dt.datetime]:
    return mapped_column(DateTime(), nullable=nullable, index=index)

"""Side effects that leave the process, written in the transaction that causes them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from simgate.models.base import Base, id_column, timestamp_column


class OutboxMessage(Base):
    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_pending", "done_at", "next_attempt_at"),)

    id: Mapped[int] = id_column()
    kind: Mapped[str] = mapped_column(String(32))  # finish_activation
    # Idempotency: one message per (kind, key), e.g. one FINISH per activation.
    dedupe_key: Mapped[str] = mapped_column(String(128), unique=True)
    supplier_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("suppliers.id"))
    payload: Mapped[str] = mapped_column(Text)  # JSON
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = timestamp_column()
    next_attempt_at: Mapped[dt.datetime] = timestamp_column()
    locked_until: Mapped[dt.datetime | None] = timestamp_column(nullable=True)
    done_at: Mapped[dt.datetime | None] = timestamp_column(nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text)

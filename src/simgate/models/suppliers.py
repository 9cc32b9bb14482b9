"""Agents the hub buys numbers from, and the stock each reported last."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Boolean, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from simgate.core.changes import STOCK
from simgate.models.base import Base, id_column, published, timestamp_column


class Supplier(Base):
    __tablename__ = "suppliers"
    __table_args__ = published(STOCK)

    id: Mapped[int] = id_column()
    name: Mapped[str] = mapped_column(String(64), unique=True)
    url: Mapped[str] = mapped_column(String(512))
    # The key the hub sends to the agent, and the one the agent sends back on PUSH_SMS.
    key: Mapped[str] = mapped_column(String(256))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    priority: Mapped[int] = mapped_column(Integer, default=0)  # higher is tried first
    currency: Mapped[int] = mapped_column(Integer, default=643)
    timeout_seconds: Mapped[float] = mapped_column(Float, default=3.0)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = timestamp_column()
    last_poll_at: Mapped[dt.datetime | None] = timestamp_column(nullable=True)
    last_ok_at: Mapped[dt.datetime | None] = timestamp_column(nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[dt.datetime | None] = timestamp_column(nullable=True)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    # A worker claims the stock poll of one supplier until this moment.
    poll_locked_until: Mapped[dt.datetime | None] = timestamp_column(nullable=True)


class SupplierStock(Base):
    __tablename__ = "supplier_stock"
    __table_args__ = published(STOCK)

    supplier_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("suppliers.id", ondelete="CASCADE"), primary_key=True
    )
    country_slug: Mapped[str] = mapped_column(String(64), primary_key=True)
    operator_slug: Mapped[str] = mapped_column(String(64), primary_key=True)
    service_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[dt.datetime] = timestamp_column()

"""Buyers (and admins), their API keys and limits."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from simgate.core.changes import ACCOUNTS
from simgate.models.base import Base, id_column, published, timestamp_column


class Account(Base):
    __tablename__ = "accounts"
    __table_args__ = published(ACCOUNTS)

    id: Mapped[int] = id_column()
    name: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str | None] = mapped_column(String(255), unique=True)
    # May open the operator console (/admin); renamed from is_admin in migration 0014.
    is_operator: Mapped[bool] = mapped_column(Boolean, default=False)
    blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    api_access: Mapped[bool] = mapped_column(Boolean, default=True)
    max_concurrent: Mapped[int] = mapped_column(Integer)
    max_getnum_per_minute: Mapped[int] = mapped_column(Integer)
    max_parallel_getnum: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = timestamp_column()


class ApiKey(Base):
    __tablename__ = "api_keys"
    __table_args__ = published(ACCOUNTS)

    id: Mapped[int] = id_column()
    account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[dt.datetime] = timestamp_column()
    revoked_at: Mapped[dt.datetime | None] = timestamp_column(nullable=True)

"""Balances, holds and the append-only entries behind them (all integer minor units)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from simgate.models.base import Base, BigIntPK, id_column, timestamp_column


class Balance(Base):
    __tablename__ = "balances"
    __table_args__ = (
        CheckConstraint("available >= 0", name="available_not_negative"),
        CheckConstraint("held >= 0", name="held_not_negative"),
    )

    account_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    deposited: Mapped[int] = mapped_column(BigInteger, default=0)
    available: Mapped[int] = mapped_column(BigInteger, default=0)
    held: Mapped[int] = mapped_column(BigInteger, default=0)
    captured: Mapped[int] = mapped_column(BigInteger, default=0)


class Hold(Base):
    __tablename__ = "holds"

    id: Mapped[int] = id_column()
    account_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("accounts.id"), index=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    state: Mapped[str] = mapped_column(String(16), index=True)  # held | captured | released
    reference: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = timestamp_column()
    ended_at: Mapped[dt.datetime | None] = timestamp_column(nullable=True)


class LedgerEntry(Base):
    __tablename__ = "ledger_entries"

    id: Mapped[int] = id_column()
    account_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("accounts.id"), index=True)
    # deposit | debit | hold | capture | release | refund
    kind: Mapped[str] = mapped_column(String(16))
    amount: Mapped[int] = mapped_column(BigInteger)
    hold_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("holds.id"), index=True)
    reference: Mapped[str] = mapped_column(String(64), default="")
    # Indexed for the console's sales and refunds of the day (migration 0014).
    created_at: Mapped[dt.datetime] = timestamp_column(index=True)

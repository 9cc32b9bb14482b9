"""Call forwarding on rented numbers (onlinesim forwardingList) and its minute top-ups."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from simgate.models.base import Base, id_column, timestamp_column


class Forwarding(Base):
    __tablename__ = "forwardings"
    __table_args__ = (
        Index("ix_forwardings_account_id", "account_id"),
        Index("ix_forwardings_status_next_check_at", "status", "next_check_at"),
    )

    id: Mapped[int] = id_column()
    account_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("accounts.id"))
    activation_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("activations.id"), unique=True
    )
    supplier_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("suppliers.id"))
    agent_activation_id: Mapped[int] = mapped_column(BigInteger)
    phone: Mapped[str] = mapped_column(String(20))  # the rented number
    forward_number: Mapped[str] = mapped_column(String(20))  # digits with country code
    clean_call: Mapped[bool] = mapped_column(Boolean, default=False)
    # The spec's forwarding status: 1 working, 2 blocked, 3 finished, 4 number replacement,
    # 5 sent for blocking (the agent is yet to cancel it), 6 awaiting finish (unused).
    status: Mapped[int] = mapped_column(Integer)
    # The buyer's setForwardStatusEnable, after the agent confirmed the forwarding is set.
    confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    min_minutes: Mapped[int] = mapped_column(Integer, default=0)  # auto top-up below this
    max_minutes: Mapped[int] = mapped_column(Integer, default=0)  # auto top-ups in all; 0 = any
    topped_up_minutes: Mapped[int] = mapped_column(Integer, default=0)
    auto_extend: Mapped[bool] = mapped_column(Boolean, default=False)  # the spec's `auto`
    # Minute balance and money balance as the agent last reported them (None: unknown).
    minutes: Mapped[int | None] = mapped_column(Integer)
    balance: Mapped[str | None] = mapped_column(String(32))
    balance_at: Mapped[dt.datetime | None] = timestamp_column(nullable=True)
    region: Mapped[int | None] = mapped_column(Integer)
    # The worker's next poll (status 1) or next cancel attempt (status 5); a claim moves it.
    next_check_at: Mapped[dt.datetime] = timestamp_column()
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = timestamp_column()
    updated_at: Mapped[dt.datetime] = timestamp_column()


class ForwardPayment(Base):
    __tablename__ = "forward_payments"
    __table_args__ = (
        Index("ix_forward_payments_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = id_column()  # also the paymentId the agent deduplicates on
    forwarding_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("forwardings.id"), index=True)
    account_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("accounts.id"))
    minutes: Mapped[int] = mapped_column(Integer)
    amount: Mapped[int] = mapped_column(BigInteger)  # minor units, held then captured
    hold_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("holds.id"))
    status: Mapped[int] = mapped_column(Integer)  # 1 created, 2 sent for payment, 3 credited
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)  # refused; hold released
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = timestamp_column()
    locked_until: Mapped[dt.datetime | None] = timestamp_column(nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = timestamp_column()
    credited_at: Mapped[dt.datetime | None] = timestamp_column(nullable=True)

"""Activations (the onlinesim "operation", id = tzid) and the SMS matched to them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from simgate.models.base import Base, id_column, timestamp_column
from simgate.models.types import NulSafeText


class Activation(Base):
    __tablename__ = "activations"
    __table_args__ = (
        Index("ix_activations_account_state", "account_id", "state"),
        Index("ix_activations_state_expires", "state", "expires_at"),
        Index("ix_activations_supplier_phone", "supplier_id", "phone"),
        # History at scale (migration 0012): each bounds one query to the rows it returns.
        Index("ix_activations_account_finished", "account_id", "finished_at"),
        Index("ix_activations_account_created", "account_id", "created_at"),
        Index(
            "ix_activations_account_service_created",
            "account_id",
            "service_id",
            "created_at",
            "phone",
        ),
        # The expiry query's "caller vanished" half, from the index alone (migration 0014).
        Index("ix_activations_state_requesting_form", "state", "requesting_until", "form"),
        # The cabinet's history pages walk one account's rentals newest first by id.
        Index("ix_activations_account_id_desc", "account_id", "id"),
        Index("ix_activations_account_service_id", "account_id", "service_id", "id"),
        # The console's per-supplier success rate over the last day (migration 0014).
        Index("ix_activations_supplier_created", "supplier_id", "created_at"),
    )

    id: Mapped[int] = id_column()
    account_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("accounts.id"))
    service_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("services.id"))
    # When the buyer named a sender instead of a service (spec: service=Gett), only SMS from
    # that sender count; the service is then `other`.
    sender_filter: Mapped[str | None] = mapped_column(String(64))
    country_code: Mapped[int] = mapped_column(Integer)
    operator_slug: Mapped[str] = mapped_column(String(64), default="any")
    form: Mapped[str] = mapped_column(String(8))  # activations.forms.RentalForm
    state: Mapped[str] = mapped_column(String(16))
    price: Mapped[int] = mapped_column(BigInteger)
    payout: Mapped[int] = mapped_column(BigInteger)
    hold_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("holds.id"))
    supplier_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("suppliers.id"))
    agent_activation_id: Mapped[int | None] = mapped_column(BigInteger)
    phone: Mapped[str | None] = mapped_column(String(20))
    # Prefixes the buyer refused plus the requested number (repeat); JSON list.
    reject: Mapped[str] = mapped_column(Text, default="[]")
    wanted_number: Mapped[str | None] = mapped_column(String(20))
    region: Mapped[int | None] = mapped_column(Integer)
    extension: Mapped[int | None] = mapped_column(Integer)
    # Messages with a sequence number at or below this were answered by setOperationRevise.
    revise_cursor: Mapped[int] = mapped_column(Integer, default=0)
    banned: Mapped[bool] = mapped_column(Boolean, default=False)
    failure: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[dt.datetime] = timestamp_column()
    # While a number request is in flight, no other worker or request may start one.
    requesting_until: Mapped[dt.datetime | None] = timestamp_column(nullable=True)
    number_requested_at: Mapped[dt.datetime | None] = timestamp_column(nullable=True)
    number_at: Mapped[dt.datetime | None] = timestamp_column(nullable=True)
    expires_at: Mapped[dt.datetime] = timestamp_column()
    finished_at: Mapped[dt.datetime | None] = timestamp_column(nullable=True)


class InboundSms(Base):
    __tablename__ = "sms"
    __table_args__ = (
        UniqueConstraint("supplier_id", "agent_sms_id"),
        Index("ix_sms_supplier_phone", "supplier_id", "phone"),
        Index("ix_sms_received_at", "received_at"),  # the console's SMS per minute
    )

    id: Mapped[int] = id_column()
    supplier_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("suppliers.id"))
    agent_sms_id: Mapped[int] = mapped_column(BigInteger)
    phone: Mapped[str] = mapped_column(String(20))
    sender: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(NulSafeText)
    code: Mapped[str | None] = mapped_column(String(32))
    received_at: Mapped[dt.datetime] = timestamp_column()
    activation_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("activations.id"), index=True
    )
    # Order of this SMS among its activation's messages (1, 2, ...).
    seq: Mapped[int | None] = mapped_column(Integer)
    # What the agent was told the first time; a repeated push gets the same answer.
    outcome: Mapped[str] = mapped_column(String(32))
    shown: Mapped[bool] = mapped_column(Boolean, default=False)

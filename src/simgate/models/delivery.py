"""Outbound SMS: signing secrets, used signatures, sender names, templates, the stop-list,
the message queue (one row per recipient, one part row per submit_sm) and delivery receipts."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from simgate.models.base import Base, BigIntPK, id_column, timestamp_column


class DeliverySecret(Base):
    """The shared secret of the md5 signature. The scheme needs the server to know the secret
    in clear (it recomputes md5(params + secret)), and only a hash of API keys is stored, so
    each account gets a separate, rotatable secret that is valid for the delivery-api only."""

    __tablename__ = "delivery_secrets"

    account_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    secret: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = timestamp_column()


class DeliveryRequest(Base):
    """A used signature (of any method, reads included), kept while its timestamp is valid.

    The md5 scheme concatenates values without separators, so one signature also signs other
    parameter sets of other methods; the primary key makes it single-use on every replica. A
    replay of the same method and parameters gets the stored reply, anything else error 6."""

    __tablename__ = "delivery_requests"

    signature: Mapped[str] = mapped_column(String(32), primary_key=True)
    account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="CASCADE")
    )
    method: Mapped[str] = mapped_column(String(32), server_default="")
    params_digest: Mapped[str] = mapped_column(String(64), server_default="")
    reply: Mapped[str | None] = mapped_column(Text)
    expires_at: Mapped[dt.datetime] = timestamp_column(index=True)


class DeliverySender(Base):
    __tablename__ = "delivery_senders"
    __table_args__ = (UniqueConstraint("account_id", "name"),)

    id: Mapped[int] = id_column()
    account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16))  # moderation | completed | rejected
    requested_at: Mapped[dt.datetime] = timestamp_column()
    decided_at: Mapped[dt.datetime | None] = timestamp_column(nullable=True)


class DeliveryTemplate(Base):
    __tablename__ = "delivery_templates"
    __table_args__ = (UniqueConstraint("account_id", "name"),)

    id: Mapped[int] = id_column()
    account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = timestamp_column()


class StopListEntry(Base):
    """A number nobody may send to (its owner opted out, or an operator blocked it)."""

    __tablename__ = "delivery_stop_list"

    phone: Mapped[str] = mapped_column(String(16), primary_key=True)
    reason: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[dt.datetime] = timestamp_column()


class OutboundMessage(Base):
    """One text to one number. States: queued -> submitted -> delivered | undelivered;
    queued -> failed (never accepted by the SMSC; the hold is released)."""

    __tablename__ = "delivery_messages"
    __table_args__ = (
        Index("ix_delivery_messages_due", "state", "next_attempt_at"),
        # Every lookup by account, and the cabinet's sent-SMS pages in id order (migration 0014).
        Index("ix_delivery_messages_account_id_desc", "account_id", "id"),
    )

    id: Mapped[int] = id_column()
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    account_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("accounts.id"))
    sender: Mapped[str] = mapped_column(String(16))
    phone: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    encoding: Mapped[str] = mapped_column(String(8))  # gsm7 | ucs2
    parts: Mapped[int] = mapped_column(Integer)
    cost: Mapped[int] = mapped_column(BigInteger)
    hold_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("holds.id"))
    state: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = timestamp_column()
    lease: Mapped[str | None] = mapped_column(String(32))
    locked_until: Mapped[dt.datetime | None] = timestamp_column(nullable=True)
    created_at: Mapped[dt.datetime] = timestamp_column()
    submitted_at: Mapped[dt.datetime | None] = timestamp_column(nullable=True)
    finished_at: Mapped[dt.datetime | None] = timestamp_column(nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(255))


class OutboundPart(Base):
    """One submit_sm. `smsc_message_id` is set in the transaction that records the SMSC's
    acknowledgement, which is what makes a part never be submitted again."""

    __tablename__ = "delivery_parts"
    __table_args__ = (UniqueConstraint("message_id", "seq"),)

    id: Mapped[int] = id_column()
    message_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("delivery_messages.id", ondelete="CASCADE")
    )
    seq: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16))  # pending | submitted | delivered | undelivered
    smsc_message_id: Mapped[str | None] = mapped_column(String(65), index=True)
    submitted_at: Mapped[dt.datetime | None] = timestamp_column(nullable=True)
    done_at: Mapped[dt.datetime | None] = timestamp_column(nullable=True)


class DeliveryReceipt(Base):
    """A receipt as received. Kept apart from parts because a receipt can arrive before the
    transaction that records the submit_sm_resp of its part has committed."""

    __tablename__ = "delivery_receipts"

    id: Mapped[int] = id_column()
    smsc_message_id: Mapped[str] = mapped_column(String(65), index=True)
    stat: Mapped[str] = mapped_column(String(16))
    final_state: Mapped[str] = mapped_column(String(16))  # delivered | undelivered
    received_at: Mapped[dt.datetime] = timestamp_column()
    applied_at: Mapped[dt.datetime | None] = timestamp_column(nullable=True)

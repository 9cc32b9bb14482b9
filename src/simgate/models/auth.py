"""Self-service accounts: passwords, email confirmation, dev keys, RSA keys, login throttling."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from simgate.models.base import Base, id_column, timestamp_column


class Credential(Base):
    """The password of an account that registered itself (its username is accounts.name)."""

    __tablename__ = "credentials"

    account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    full_name: Mapped[str] = mapped_column(String(255))
    password_hash: Mapped[str] = mapped_column(String(255))
    # SHA-256 of the confirmation link's token: a database leak does not confirm anyone.
    confirm_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The token works for SIMGATE_EMAIL_CONFIRMATION_TTL_SECONDS from here; a resend renews it.
    confirm_issued_at: Mapped[dt.datetime | None] = timestamp_column(nullable=True)
    activated_at: Mapped[dt.datetime | None] = timestamp_column(nullable=True)
    created_at: Mapped[dt.datetime] = timestamp_column()


class LoginKey(Base):
    """An API key handed out by login; only the newest few per account stay valid."""

    __tablename__ = "login_keys"

    id: Mapped[int] = id_column()
    account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    api_key_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("api_keys.id", ondelete="CASCADE"), unique=True
    )
    created_at: Mapped[dt.datetime] = timestamp_column()


class DevKey(Base):
    """A developer key an operator handed out; register and login require one."""

    __tablename__ = "dev_keys"

    id: Mapped[int] = id_column()
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(8))
    note: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[dt.datetime] = timestamp_column()
    revoked_at: Mapped[dt.datetime | None] = timestamp_column(nullable=True)


class RsaKey(Base):
    """The hub's RSA key pairs: the newest unretired one is published as /api/public.pem."""

    __tablename__ = "rsa_keys"

    id: Mapped[int] = id_column()
    private_pem: Mapped[str] = mapped_column(Text)
    public_pem: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = timestamp_column()
    retired_at: Mapped[dt.datetime | None] = timestamp_column(nullable=True)


class AuthThrottle(Base):
    """Attempts per key (address, username, email) in a fixed window, shared by replicas."""

    __tablename__ = "auth_throttle"

    key: Mapped[str] = mapped_column(String(320), primary_key=True)
    window_start: Mapped[dt.datetime] = timestamp_column(index=True)
    hits: Mapped[int] = mapped_column(Integer)


class AuthEmail(Base):
    """An email to send after commit (confirmation links), retried until the server takes it.
    Once sent, its body is blanked: it carried a link that confirms an account."""

    __tablename__ = "auth_emails"
    __table_args__ = (Index("ix_auth_emails_pending", "sent_at", "next_attempt_at"),)

    id: Mapped[int] = id_column()
    account_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="CASCADE")
    )
    recipient: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = timestamp_column()
    next_attempt_at: Mapped[dt.datetime] = timestamp_column()
    locked_until: Mapped[dt.datetime | None] = timestamp_column(nullable=True)
    sent_at: Mapped[dt.datetime | None] = timestamp_column(nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text)

"""Browser sessions of the web cabinet: the cookie carries a random token, the row says
whose it is and whether it still counts (logout revokes it here, for every replica)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from simgate.models.base import Base, id_column, timestamp_column


class WebSession(Base):
    __tablename__ = "web_sessions"

    id: Mapped[int] = id_column()
    # SHA-256 of the cookie's token: a database leak does not log anyone in.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    # Every form of this session carries it; a POST without it is refused.
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = timestamp_column()
    expires_at: Mapped[dt.datetime] = timestamp_column()
    revoked_at: Mapped[dt.datetime | None] = timestamp_column(nullable=True)

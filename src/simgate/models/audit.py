"""What operators did: one row per console or CLI action, written in the action's own
transaction, so an action and its record commit (or vanish) together."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from simgate.models.base import Base, id_column, timestamp_column


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id: Mapped[int] = id_column()
    created_at: Mapped[dt.datetime] = timestamp_column()
    # The operator's account; None for the command line (then `actor` is "cli"). An account
    # deleted later leaves its name in `actor`.
    actor_account_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="SET NULL")
    )
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))  # e.g. account.credit, supplier.disable
    subject: Mapped[str] = mapped_column(String(255))  # what it was done to: a name, a number
    details: Mapped[str] = mapped_column(Text)  # JSON object
    # The key of the form that asked for the action: a form sent twice (a double click, a
    # retry after a lost answer) finds its key taken and changes nothing the second time.
    request_key: Mapped[str | None] = mapped_column(String(64), unique=True)

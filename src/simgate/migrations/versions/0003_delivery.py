"""delivery: outbound SMS queue, sender names, templates, stop-list, receipts

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-22 04:00:00

Written by hand (an independent branch from 0001) so that it stays portable to SQLite and
PostgreSQL; the names follow the naming convention of simgate.models.base.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = ("delivery",)
depends_on: str | Sequence[str] | None = None

BIG_PK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _id() -> sa.Column[int]:
    return sa.Column("id", BIG_PK, autoincrement=True, nullable=False)


def _account_fk(table: str, *, cascade: bool = True) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["account_id"],
        ["accounts.id"],
        name=f"fk_{table}_account_id_accounts",
        ondelete="CASCADE" if cascade else None,
    )


def _index(table: str, column: str, *, unique: bool = False) -> None:
    op.create_index(f"ix_{table}_{column}", table, [column], unique=unique)


def upgrade() -> None:
    op.create_table(
        "delivery_secrets",
        sa.Column("account_id", BIG_PK, nullable=False),
        sa.Column("secret", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        _account_fk("delivery_secrets"),
        sa.PrimaryKeyConstraint("account_id", name="pk_delivery_secrets"),
    )
    op.create_table(
        "delivery_requests",
        sa.Column("signature", sa.String(length=32), nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("reply", sa.Text(), nullable=True),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        _account_fk("delivery_requests"),
        sa.PrimaryKeyConstraint("signature", name="pk_delivery_requests"),
    )
    _index("delivery_requests", "expires_at")
    op.create_table(
        "delivery_senders",
        _id(),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        _account_fk("delivery_senders"),
        sa.PrimaryKeyConstraint("id", name="pk_delivery_senders"),
        sa.UniqueConstraint("account_id", "name", name="uq_delivery_senders_account_id_name"),
    )
    _index("delivery_senders", "account_id")
    op.create_table(
        "delivery_templates",
        _id(),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        _account_fk("delivery_templates"),
        sa.PrimaryKeyConstraint("id", name="pk_delivery_templates"),
        sa.UniqueConstraint("account_id", "name", name="uq_delivery_templates_account_id_name"),
    )
    _index("delivery_templates", "account_id")
    op.create_table(
        "delivery_stop_list",
        sa.Column("phone", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("phone", name="pk_delivery_stop_list"),
    )
    _create_queue_tables()


def _create_queue_tables() -> None:
    op.create_table(
        "delivery_messages",
        _id(),
        sa.Column("public_id", sa.String(length=32), nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("sender", sa.String(length=16), nullable=False),
        sa.Column("phone", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("encoding", sa.String(length=8), nullable=False),
        sa.Column("parts", sa.Integer(), nullable=False),
        sa.Column("cost", sa.BigInteger(), nullable=False),
        sa.Column("hold_id", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("lease", sa.String(length=32), nullable=True),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.String(length=255), nullable=True),
        _account_fk("delivery_messages", cascade=False),
        sa.ForeignKeyConstraint(
            ["hold_id"], ["holds.id"], name="fk_delivery_messages_hold_id_holds"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_delivery_messages"),
        sa.UniqueConstraint("public_id", name="uq_delivery_messages_public_id"),
    )
    _index("delivery_messages", "account_id")
    op.create_index("ix_delivery_messages_due", "delivery_messages", ["state", "next_attempt_at"])
    op.create_table(
        "delivery_parts",
        _id(),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("smsc_message_id", sa.String(length=65), nullable=True),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["delivery_messages.id"],
            name="fk_delivery_parts_message_id_delivery_messages",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_delivery_parts"),
        sa.UniqueConstraint("message_id", "seq", name="uq_delivery_parts_message_id_seq"),
    )
    _index("delivery_parts", "smsc_message_id")
    op.create_table(
        "delivery_receipts",
        _id(),
        sa.Column("smsc_message_id", sa.String(length=65), nullable=False),
        sa.Column("stat", sa.String(length=16), nullable=False),
        sa.Column("final_state", sa.String(length=16), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("applied_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_delivery_receipts"),
    )
    _index("delivery_receipts", "smsc_message_id")


def downgrade() -> None:
    for table in (
        "delivery_receipts",
        "delivery_parts",
        "delivery_messages",
        "delivery_stop_list",
        "delivery_templates",
        "delivery_senders",
        "delivery_requests",
        "delivery_secrets",
    ):
        op.drop_table(table)

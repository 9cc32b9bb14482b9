"""forwarding: call forwarding on rented numbers and its minute top-ups

Revision ID: 0004
Revises: 0001
Create Date: 2026-11-23 10:00:00

Written by hand (an independent branch from 0001) so that it stays portable to SQLite and
PostgreSQL; the names follow the naming convention of simgate.models.base.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = ("forwarding",)
depends_on: str | Sequence[str] | None = None

BIG_PK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}")


def upgrade() -> None:
    op.create_table(
        "forwardings",
        sa.Column("id", BIG_PK, autoincrement=True, nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("activation_id", sa.BigInteger(), nullable=False),
        sa.Column("supplier_id", sa.BigInteger(), nullable=False),
        sa.Column("agent_activation_id", sa.BigInteger(), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("forward_number", sa.String(length=20), nullable=False),
        sa.Column("clean_call", sa.Boolean(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("confirmed", sa.Boolean(), nullable=False),
        sa.Column("min_minutes", sa.Integer(), nullable=False),
        sa.Column("max_minutes", sa.Integer(), nullable=False),
        sa.Column("topped_up_minutes", sa.Integer(), nullable=False),
        sa.Column("auto_extend", sa.Boolean(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=True),
        sa.Column("balance", sa.String(length=32), nullable=True),
        sa.Column("balance_at", sa.DateTime(), nullable=True),
        sa.Column("region", sa.Integer(), nullable=True),
        sa.Column("next_check_at", sa.DateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        _fk("forwardings", "account_id", "accounts"),
        _fk("forwardings", "activation_id", "activations"),
        _fk("forwardings", "supplier_id", "suppliers"),
        sa.PrimaryKeyConstraint("id", name="pk_forwardings"),
        sa.UniqueConstraint("activation_id", name="uq_forwardings_activation_id"),
    )
    op.create_index("ix_forwardings_account_id", "forwardings", ["account_id"])
    op.create_index(
        "ix_forwardings_status_next_check_at", "forwardings", ["status", "next_check_at"]
    )
    op.create_table(
        "forward_payments",
        sa.Column("id", BIG_PK, autoincrement=True, nullable=False),
        sa.Column("forwarding_id", sa.BigInteger(), nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("hold_id", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("credited_at", sa.DateTime(), nullable=True),
        _fk("forward_payments", "forwarding_id", "forwardings"),
        _fk("forward_payments", "account_id", "accounts"),
        _fk("forward_payments", "hold_id", "holds"),
        sa.PrimaryKeyConstraint("id", name="pk_forward_payments"),
    )
    op.create_index("ix_forward_payments_forwarding_id", "forward_payments", ["forwarding_id"])
    op.create_index(
        "ix_forward_payments_status_next_attempt_at",
        "forward_payments",
        ["status", "next_attempt_at"],
    )


def downgrade() -> None:
    op.drop_table("forward_payments")
    op.drop_table("forwardings")

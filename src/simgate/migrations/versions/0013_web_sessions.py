"""web: browser sessions of the cabinet, and the indexes its history pages walk

Revision ID: 0013_web_sessions
Revises: 0001
Create Date: 2026-11-30 14:40:00

An independent branch from 0001 (its own label, like each domain's): it needs only the
accounts and activations tables, and a downgrade of another branch must not take it along.
Written by hand so that it stays portable to SQLite and PostgreSQL; the names follow the
naming convention of simgate.models.base.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_web_sessions"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = ("web",)
depends_on: str | Sequence[str] | None = None

BIG_PK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "web_sessions",
        sa.Column("id", BIG_PK, autoincrement=True, nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name="fk_web_sessions_account_id_accounts",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_web_sessions"),
        sa.UniqueConstraint("token_hash", name="uq_web_sessions_token_hash"),
    )
    op.create_index("ix_web_sessions_account_id", "web_sessions", ["account_id"])
    op.create_index("ix_activations_account_id_desc", "activations", ["account_id", "id"])
    op.create_index(
        "ix_activations_account_service_id", "activations", ["account_id", "service_id", "id"]
    )


def downgrade() -> None:
    op.drop_index("ix_activations_account_service_id", table_name="activations")
    op.drop_index("ix_activations_account_id_desc", table_name="activations")
    op.drop_index("ix_web_sessions_account_id", table_name="web_sessions")
    op.drop_table("web_sessions")

"""operators: the operator flag on accounts, the audit list of operator actions, and the
indexes the console's dashboard reads by time

Revision ID: 0014_operators
Revises: 0001
Create Date: 2026-11-30 17:20:00

An independent branch from 0001 (its own label, like each domain's): it needs only the
tables 0001 made. The operator flag was stored as `is_admin` since 0001 and nothing but the
account listing read it; it is renamed rather than doubled, so one column says who may open
the console. ALTER TABLE … RENAME COLUMN is the same statement on SQLite (3.25+) and
PostgreSQL. Written by hand; the names follow the naming convention of simgate.models.base.

The dashboard counts SMS of the last minute, ledger entries of the day and each supplier's
rentals of the last day; without these indexes each count would read its whole table.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_operators"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = ("operators",)
depends_on: str | Sequence[str] | None = None

BIG_PK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

INDEXES = {
    "ix_sms_received_at": ("sms", ["received_at"]),
    "ix_ledger_entries_created_at": ("ledger_entries", ["created_at"]),
    "ix_activations_supplier_created": ("activations", ["supplier_id", "created_at"]),
}


def upgrade() -> None:
    op.execute("ALTER TABLE accounts RENAME COLUMN is_admin TO is_operator")
    op.create_table(
        "audit_events",
        sa.Column("id", BIG_PK, autoincrement=True, nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("actor_account_id", sa.BigInteger(), nullable=True),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("request_key", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_account_id"],
            ["accounts.id"],
            name="fk_audit_events_actor_account_id_accounts",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_audit_events"),
        sa.UniqueConstraint("request_key", name="uq_audit_events_request_key"),
    )
    for name, (table, columns) in INDEXES.items():
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, (table, _) in INDEXES.items():
        op.drop_index(name, table_name=table)
    op.drop_table("audit_events")
    op.execute("ALTER TABLE accounts RENAME COLUMN is_operator TO is_admin")

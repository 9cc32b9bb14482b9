"""change_topics: on SQLite, what each commit changed, for the other processes to read

Revision ID: 0015_change_topics
Revises: 0001
Create Date: 2026-11-30 23:30:00

An independent branch from 0001 (its own label, like each domain's): it needs no other
table. One row per topic (`catalog`, `stock`, `accounts`, `a:<account id>`): the number of
the last commit that changed it and which process made it (core.change_sources). SQLite's
`PRAGMA data_version` says only that something was committed; this table says what, so a
process forgets only those topics. The index on `seq` serves "the rows past the last number
seen", read each time the version moves.

PostgreSQL tells the topics in its NOTIFY payload and would only make every rental queue
for the lock of the `stock` row here: the table is made on SQLite only.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_change_topics"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = ("change_topics",)
depends_on: str | Sequence[str] | None = None


def _is_sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade() -> None:
    if not _is_sqlite():
        return
    op.create_table(
        "change_topics",
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("origin", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("topic", name="pk_change_topics"),
    )
    op.create_index("ix_change_topics_seq", "change_topics", ["seq"])


def downgrade() -> None:
    if not _is_sqlite():
        return
    op.drop_index("ix_change_topics_seq", table_name="change_topics")
    op.drop_table("change_topics")

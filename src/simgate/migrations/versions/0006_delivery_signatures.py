"""delivery: a used signature records its method and a digest of its parameters

Revision ID: 0006_delivery
Revises: 0003
Create Date: 2026-11-30 11:00:00

Every signed delivery-api request (reads included) is now recorded, so that a signature is
single-use across methods. Rows still present at upgrade time get empty values: a replay of
one of them matches no method and is refused (error 6), which is the safe answer.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_delivery"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("delivery_requests") as batch:
        batch.add_column(
            sa.Column("method", sa.String(length=32), nullable=False, server_default="")
        )
        batch.add_column(
            sa.Column("params_digest", sa.String(length=64), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("delivery_requests") as batch:
        batch.drop_column("params_digest")
        batch.drop_column("method")

"""auth: confirmation tokens expire, so a credential records when its token was issued

Revision ID: 0006_auth
Revises: 0002
Create Date: 2026-11-30 11:00:00

Existing tokens count as issued when their account was created, so the expiry applies to
them too (a link mailed long ago stops working; the user asks for a new one).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_auth"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("credentials") as batch:
        batch.add_column(sa.Column("confirm_issued_at", sa.DateTime(), nullable=True))
    op.execute("UPDATE credentials SET confirm_issued_at = created_at")


def downgrade() -> None:
    with op.batch_alter_table("credentials") as batch:
        batch.drop_column("confirm_issued_at")

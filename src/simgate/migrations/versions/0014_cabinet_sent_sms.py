"""delivery: the index on a message's account also orders it by id, for the cabinet's pages

Revision ID: 0014_cabinet_sent_sms
Revises: 0006_delivery
Create Date: 2026-11-30 17:20:00

The cabinet lists an account's outbound messages newest first, a page at a time, keyed by id.
With an index on account_id alone, PostgreSQL reads and sorts every message of the account
for each page, or walks the whole table backwards by id. (account_id, id) serves a page from
the index in id order, and every lookup the old index served: it replaces it.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0014_cabinet_sent_sms"
# The next step of the delivery branch: the branch keeps one head.
down_revision: str | None = "0006_delivery"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_delivery_messages_account_id_desc", "delivery_messages", ["account_id", "id"]
    )
    op.drop_index("ix_delivery_messages_account_id", table_name="delivery_messages")


def downgrade() -> None:
    op.create_index("ix_delivery_messages_account_id", "delivery_messages", ["account_id"])
    op.drop_index("ix_delivery_messages_account_id_desc", table_name="delivery_messages")

"""activations: the expiry query answered from its indexes alone

Revision ID: 0014_expiry_index_only
Revises: 0012_history_indexes
Create Date: 2026-11-30 17:40:00

The worker's expiry query runs every tick. Its "caller vanished" half (pending online
requests whose number request outlived its lease) filters on the rental form too; with
(state, requesting_until) alone SQLite fetched each pending row from the table to read the
form. (state, requesting_until, form) answers it from the index, like (state, expires_at)
answers the "past its life" half.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0014_expiry_index_only"
down_revision: str | None = "0012_history_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD = ("ix_activations_state_requesting", ["state", "requesting_until"])
NEW = ("ix_activations_state_requesting_form", ["state", "requesting_until", "form"])


def upgrade() -> None:
    op.create_index(NEW[0], "activations", NEW[1])
    op.drop_index(OLD[0], table_name="activations")


def downgrade() -> None:
    op.create_index(OLD[0], "activations", OLD[1])
    op.drop_index(NEW[0], table_name="activations")

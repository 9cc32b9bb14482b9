"""activations: indexes that keep the history queries flat as an account's history grows

Revision ID: 0012_history_indexes
Revises: 0001
Create Date: 2026-11-30 14:10:00

With a million finished rentals on one account, every query that filtered by account alone
read the account's whole history. Each new index bounds one of them to the rows it returns:
- (account_id, finished_at): the getState listing, "open, or finished in the last minutes";
- (account_id, created_at): the per-minute getNum limit, answered from the index alone;
- (account_id, service_id, created_at, phone): the numbers an account already used for a
  service within the repeat window, answered from the index alone;
- (state, requesting_until): the expiry query's third branch (online requests whose caller
  vanished), which otherwise reads every pending rental.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0012_history_indexes"
# Its own branch from 0001, like each domain's: the indexes name no stored word, so they do
# not wait on 0011, and stepping the activation_words branch back one stays 0011's downgrade.
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = ("history_indexes",)
depends_on: str | Sequence[str] | None = None

INDEXES = {
    "ix_activations_account_finished": ["account_id", "finished_at"],
    "ix_activations_account_created": ["account_id", "created_at"],
    "ix_activations_account_service_created": ["account_id", "service_id", "created_at", "phone"],
    "ix_activations_state_requesting": ["state", "requesting_until"],
}


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.create_index(name, "activations", columns)


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="activations")

"""activations: rental form and state in the domain's words, not onlinesim's

Revision ID: 0011_activation_words
Revises: 0001
Create Date: 2026-11-30 12:10:00

A second buyer dialect renders forms and states in its own words, so storage holds neither
dialect's: form index/repeat/deferr becomes online/repeat/deferred, state TZ_INPOOL,
TZ_NUM_WAIT, TZ_NUM_ANSWER, TZ_OVER_OK, TZ_OVER_EMPTY, FAILED becomes pending, waiting,
answered, sold, refunded, failed. Each row is rewritten in place; downgrade writes the old words.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_activation_words"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = ("activation_words",)
depends_on: str | Sequence[str] | None = None

FORMS = {"index": "online", "repeat": "repeat", "deferr": "deferred"}
STATES = {
    "TZ_INPOOL": "pending",
    "TZ_NUM_WAIT": "waiting",
    "TZ_NUM_ANSWER": "answered",
    "TZ_OVER_OK": "sold",
    "TZ_OVER_EMPTY": "refunded",
    "FAILED": "failed",
}


ACTIVATIONS = sa.table("activations", sa.column("form"), sa.column("state"))


def _rename(column: str, words: dict[str, str]) -> None:
    for old, new in words.items():
        if old != new:
            op.execute(
                sa.update(ACTIVATIONS).where(ACTIVATIONS.c[column] == old).values({column: new})
            )


def upgrade() -> None:
    _rename("form", FORMS)
    _rename("state", STATES)


def downgrade() -> None:
    _rename("form", {new: old for old, new in FORMS.items()})
    _rename("state", {new: old for old, new in STATES.items()})

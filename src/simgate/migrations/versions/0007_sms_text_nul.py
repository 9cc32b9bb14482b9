"""sms text: escape U+FFFF in stored texts, so that U+FFFF + "0" can stand for NUL

Revision ID: 0007
Revises: 0001
Create Date: 2026-11-30 11:30:00

InboundSms.text is now a NulSafeText (simgate.models.types): NUL is stored as U+FFFF "0" and
U+FFFF as U+FFFF U+FFFF. Texts stored before hold no NUL (PostgreSQL refused them), but one
could hold U+FFFF; doubling it keeps such a row reading back as it was received.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = ("sms_text",)
depends_on: str | Sequence[str] | None = None

ESCAPE = "\uffff"


def _replace(old: str, new: str) -> None:
    op.execute(
        sa.text(
            "UPDATE sms SET text = replace(text, :old, :new) WHERE text LIKE :pattern"
        ).bindparams(old=old, new=new, pattern=f"%{old}%")
    )


def upgrade() -> None:
    _replace(ESCAPE, ESCAPE + ESCAPE)


def downgrade() -> None:
    # NUL cannot go back into PostgreSQL text: an escaped NUL stays escaped.
    _replace(ESCAPE + ESCAPE, ESCAPE)

"""auth: credentials, login keys, dev keys, RSA keys, throttle counters, email outbox

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 10:00:00

Written by hand (an independent branch from 0001) so that it stays portable to SQLite and
PostgreSQL; the names follow the naming convention of simgate.models.base.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = ("auth",)
depends_on: str | Sequence[str] | None = None

BIG_PK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _id() -> sa.Column[int]:
    return sa.Column("id", BIG_PK, autoincrement=True, nullable=False)


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}", ondelete="CASCADE"
    )


def upgrade() -> None:
    _create_credentials()
    _create_keys()
    _create_emails()


def _create_credentials() -> None:
    op.create_table(
        "credentials",
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("full_name", sa.String(length=255), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("confirm_token_hash", sa.String(length=64), nullable=False),
        sa.Column("activated_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        _fk("credentials", "account_id", "accounts"),
        sa.PrimaryKeyConstraint("account_id", name="pk_credentials"),
        sa.UniqueConstraint("confirm_token_hash", name="uq_credentials_confirm_token_hash"),
    )
    op.create_table(
        "login_keys",
        _id(),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("api_key_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        _fk("login_keys", "account_id", "accounts"),
        _fk("login_keys", "api_key_id", "api_keys"),
        sa.PrimaryKeyConstraint("id", name="pk_login_keys"),
        sa.UniqueConstraint("api_key_id", name="uq_login_keys_api_key_id"),
    )
    op.create_index("ix_login_keys_account_id", "login_keys", ["account_id"])


def _create_keys() -> None:
    op.create_table(
        "dev_keys",
        _id(),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=8), nullable=False),
        sa.Column("note", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_dev_keys"),
        sa.UniqueConstraint("key_hash", name="uq_dev_keys_key_hash"),
    )
    op.create_table(
        "rsa_keys",
        _id(),
        sa.Column("private_pem", sa.Text(), nullable=False),
        sa.Column("public_pem", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("retired_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_rsa_keys"),
    )
    op.create_table(
        "auth_throttle",
        sa.Column("key", sa.String(length=320), nullable=False),
        sa.Column("window_start", sa.DateTime(), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_auth_throttle"),
    )
    op.create_index("ix_auth_throttle_window_start", "auth_throttle", ["window_start"])


def _create_emails() -> None:
    op.create_table(
        "auth_emails",
        _id(),
        sa.Column("account_id", sa.BigInteger(), nullable=True),
        sa.Column("recipient", sa.String(length=255), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        _fk("auth_emails", "account_id", "accounts"),
        sa.PrimaryKeyConstraint("id", name="pk_auth_emails"),
    )
    op.create_index("ix_auth_emails_pending", "auth_emails", ["sent_at", "next_attempt_at"])


def downgrade() -> None:
    for table in (
        "auth_emails",
        "auth_throttle",
        "rsa_keys",
        "dev_keys",
        "login_keys",
        "credentials",
    ):
        op.drop_table(table)

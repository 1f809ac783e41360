"""Credentials vault: encrypted credentials, OAuth2 sign-ins in progress, leases.

Revision ID: 0002
Revises: 0001
Created: 2026-11-25

A frozen snapshot of the ``credentials``, ``oauth_states`` and ``leases`` tables of
``blockyard/store/tables.py``.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")


def _str(name: str, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.String(), nullable=nullable)


def _float(name: str, nullable: bool = False) -> sa.Column[float]:
    return sa.Column(name, sa.Double(), nullable=nullable)


def _user_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["user_id"], ["users.id"], name=f"fk_{table}_user_id_users", ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "credentials",
        _str("id"),
        _str("user_id"),
        _str("provider"),
        _str("type"),
        _str("title"),
        _str("key_id"),
        _str("nonce"),
        _str("secret"),
        sa.Column("metadata", JSON, nullable=False),
        sa.Column("scopes", JSON, nullable=False),
        _float("expires_at", nullable=True),
        _str("status"),
        _str("status_reason", nullable=True),
        _float("created_at"),
        _float("updated_at"),
        _user_fk("credentials"),
        sa.PrimaryKeyConstraint("id", name="pk_credentials"),
    )
    op.create_index("ix_credentials_user_provider", "credentials", ["user_id", "provider"])
    op.create_index("ix_credentials_key_id", "credentials", ["key_id"])
    op.create_table(
        "oauth_states",
        _str("token_hash"),
        _str("user_id"),
        _str("provider"),
        _str("code_verifier"),
        sa.Column("scopes", JSON, nullable=False),
        _str("redirect_uri"),
        _float("expires_at"),
        _user_fk("oauth_states"),
        sa.PrimaryKeyConstraint("token_hash", name="pk_oauth_states"),
    )
    op.create_index("ix_oauth_states_user_id", "oauth_states", ["user_id"])
    op.create_table(
        "leases",
        _str("name"),
        _str("holder"),
        _float("expires_at"),
        sa.PrimaryKeyConstraint("name", name="pk_leases"),
    )


def downgrade() -> None:
    for table in ("leases", "oauth_states", "credentials"):
        op.drop_table(table)

"""Knowledge bases and MCP-exposed agents join the schema, with foreign keys to ``users``.

Revision ID: 0003
Revises: 0002
Created: 2026-11-26

A frozen snapshot of the ``knowledge_bases``, ``knowledge_chunks`` and
``mcp_exposed_agents`` tables of ``blockyard/store/tables.py``. Before this revision the
store created these tables itself on first use, without foreign keys; a database that has
them already keeps its rows: those of deleted users (and chunks of no base) are dropped,
as the cascade would have done, and the foreign keys are added. The pgvector column the
knowledge store may add at run time on PostgreSQL is not part of any revision.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")
NO_USER = "user_id NOT IN (SELECT id FROM users)"
NO_BASE = (
    "NOT EXISTS (SELECT 1 FROM knowledge_bases b "
    "WHERE b.user_id = knowledge_chunks.user_id AND b.name = knowledge_chunks.base)"
)


def _str(name: str, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.String(), nullable=nullable)


def _float(name: str, nullable: bool = False) -> sa.Column[float]:
    return sa.Column(name, sa.Double(), nullable=nullable)


def _user_fk_name(table: str) -> str:
    return f"fk_{table}_user_id_users"


def _user_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["user_id"], ["users.id"], name=_user_fk_name(table), ondelete="CASCADE"
    )


BASE_FK = "fk_knowledge_chunks_user_id_base_knowledge_bases"


def _base_fk() -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["user_id", "base"],
        ["knowledge_bases.user_id", "knowledge_bases.name"],
        name=BASE_FK,
        ondelete="CASCADE",
    )


def _create_knowledge() -> None:
    op.create_table(
        "knowledge_bases",
        _str("user_id"),
        _str("name"),
        _str("model"),
        sa.Column("dimensions", sa.Integer(), nullable=False),
        _float("created_at"),
        _user_fk("knowledge_bases"),
        sa.PrimaryKeyConstraint("user_id", "name", name="pk_knowledge_bases"),
    )
    op.create_table(
        "knowledge_chunks",
        _str("id"),
        _str("user_id"),
        _str("base"),
        _str("document"),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("meta", JSON, nullable=False),
        sa.Column("embedding", sa.LargeBinary(), nullable=False),
        _float("created_at"),
        _user_fk("knowledge_chunks"),
        _base_fk(),
        sa.PrimaryKeyConstraint("id", name="pk_knowledge_chunks"),
    )
    op.create_index("ix_knowledge_chunks_user_id_base", "knowledge_chunks", ["user_id", "base"])


def _create_mcp() -> None:
    op.create_table(
        "mcp_exposed_agents",
        _str("user_id"),
        _str("graph_id"),
        _float("created_at"),
        _user_fk("mcp_exposed_agents"),
        sa.PrimaryKeyConstraint("user_id", "graph_id", name="pk_mcp_exposed_agents"),
    )


def _adopt(table: str) -> None:
    """Adopt a table the store made on first use (same columns, no foreign keys): drop
    the rows of users that are gone, as the cascade would have, then add the key."""
    op.execute(f"DELETE FROM {table} WHERE {NO_USER}")
    if table == "knowledge_chunks":
        op.execute(f"DELETE FROM knowledge_chunks WHERE {NO_BASE}")
    with op.batch_alter_table(table) as batch:
        batch.create_foreign_key(
            _user_fk_name(table), "users", ["user_id"], ["id"], ondelete="CASCADE"
        )
        if table == "knowledge_chunks":
            batch.create_foreign_key(
                BASE_FK,
                "knowledge_bases",
                ["user_id", "base"],
                ["user_id", "name"],
                ondelete="CASCADE",
            )


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "knowledge_bases" in existing:  # the store made both knowledge tables together
        _adopt("knowledge_bases")
        _adopt("knowledge_chunks")
    else:
        _create_knowledge()
    if "mcp_exposed_agents" in existing:
        _adopt("mcp_exposed_agents")
    else:
        _create_mcp()


def downgrade() -> None:
    for table in ("mcp_exposed_agents", "knowledge_chunks", "knowledge_bases"):
        op.drop_table(table)

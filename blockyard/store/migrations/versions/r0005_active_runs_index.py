"""A user's active runs are counted from an index on ``graph_executions (user_id, status)``.

Revision ID: 0005
Revises: 0004
Created: 2026-11-25

Every new run counts its user's queued, running and waiting runs inside the transaction
that inserts it (the runs-per-user limit; on SQLite that transaction holds the write
lock). Without this index the count reads every run the user ever made.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_graph_executions_user_status", "graph_executions", ["user_id", "status"])


def downgrade() -> None:
    op.drop_index("ix_graph_executions_user_status", table_name="graph_executions")

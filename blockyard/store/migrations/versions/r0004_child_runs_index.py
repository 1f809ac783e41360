"""Sub-agent runs are found by their parent: an index on ``graph_executions.parent_exec_id``.

Revision ID: 0004
Revises: 0003
Created: 2026-11-25

The run view lists the sub-agent runs a run's Agent Executor nodes started
(``GET /api/graphs/{id}/executions/{exec_id}`` returns them as ``children``).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_graph_executions_parent", "graph_executions", ["parent_exec_id"])


def downgrade() -> None:
    op.drop_index("ix_graph_executions_parent", table_name="graph_executions")

"""Node executions remember the event ``seq`` of their last change: ``event_seq``.

Revision ID: 0006
Revises: 0005
Created: 2026-11-25

A WebSocket client that reconnects with ``last_seq`` then gets only the node executions
that changed after it, not the whole run again. Rows written before this revision have 0
(unknown) and are always sent.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("node_executions") as batch:
        batch.add_column(
            sa.Column("event_seq", sa.BigInteger(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("node_executions") as batch:
        batch.drop_column("event_seq")

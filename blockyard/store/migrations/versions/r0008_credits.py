"""Credits: balances, reservations and a fuller ledger.

Revision ID: 0008
Revises: 0007
Created: 2026-11-26

A frozen snapshot of the credit tables in ``blockyard/store/tables.py``:

- ``credit_transactions`` gains ``running_balance`` (the balance right after the row),
  ``reason`` and ``admin_id``, and an index by run (a run's cost is the sum of its usage);
- ``user_credits`` holds each user's balance, ``credit_holders`` the processes that may hold
  reservations and ``credit_reservations`` what each holds per user.

Rows written before this revision (usage only, amounts positive) become the ledger's form:
usage negative, running balances filled in, and a balance row per user that sums them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RUNNING_BALANCE = """
UPDATE credit_transactions SET running_balance = (
    SELECT SUM(t.amount) FROM credit_transactions t
    WHERE t.user_id = credit_transactions.user_id
      AND (t.created_at < credit_transactions.created_at
           OR (t.created_at = credit_transactions.created_at AND t.id <= credit_transactions.id))
)
"""
BALANCES = """
INSERT INTO user_credits (user_id, balance, updated_at)
SELECT user_id, SUM(amount), MAX(created_at) FROM credit_transactions GROUP BY user_id
"""


def _create_tables() -> None:
    op.create_table(
        "user_credits",
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("balance", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name="pk_user_credits"),
    )
    op.create_table(
        "credit_holders",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("renewed_at", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_credit_holders"),
    )
    op.create_table(
        "credit_reservations",
        sa.Column("holder", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("holder", "user_id", name="pk_credit_reservations"),
    )
    op.create_index("ix_credit_reservations_user_id", "credit_reservations", ["user_id"])


def upgrade() -> None:
    with op.batch_alter_table("credit_transactions") as batch:
        batch.add_column(
            sa.Column("running_balance", sa.BigInteger(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("admin_id", sa.String(), nullable=True))
    op.create_index(
        "ix_credit_transactions_graph_exec_id", "credit_transactions", ["graph_exec_id"]
    )
    _create_tables()
    op.execute("UPDATE credit_transactions SET amount = -amount WHERE kind = 'USAGE'")
    op.execute(RUNNING_BALANCE)
    op.execute(BALANCES)


def downgrade() -> None:
    for table in ("credit_reservations", "credit_holders", "user_credits"):
        op.drop_table(table)
    op.drop_index("ix_credit_transactions_graph_exec_id", "credit_transactions")
    op.execute("UPDATE credit_transactions SET amount = -amount WHERE kind = 'USAGE'")
    with op.batch_alter_table("credit_transactions") as batch:
        batch.drop_column("admin_id")
        batch.drop_column("reason")
        batch.drop_column("running_balance")

"""Credits as the API sees them: a user's account and transactions, and administrators'
top-ups, grants and refunds. Every read is scoped to one user id.

An account is opened the first time it is needed while credits are enabled (its balance
row created, with the sign-up grant when one is configured), so every way an account can
come to exist (sign-up, the CLI, a later switch to credits) gets the grant exactly once.
"""

import time
from dataclasses import dataclass

from sqlalchemy import func, select

from blockyard.errors import InsufficientBalanceError
from blockyard.store import ledger
from blockyard.store.db import Database
from blockyard.store.ledger import CreditKind, Entry, Sql, Transaction
from blockyard.store.ledger_db import LedgerDb
from blockyard.store.tables import (
    CreditHolderRow,
    CreditReservationRow,
    CreditTransactionRow,
    GraphExecRow,
    UserCreditRow,
)


@dataclass(frozen=True, slots=True)
class Account:
    balance: int
    reserved: int
    """What nodes running now hold of the balance (charged when they finish)."""


@dataclass(frozen=True, slots=True)
class TransactionPage:
    transactions: list[tuple[Transaction, str | None]]
    """Each transaction with the agent (graph id) of its run, when it has one."""
    total: int


class CreditRepo:
    def __init__(
        self, db: Database, *, signup_credits: int = 0, ttl: float = ledger.HOLDER_TTL
    ) -> None:
        self._engine = db.engine
        self._ledger = LedgerDb(db)
        self._signup = signup_credits
        self._ttl = ttl

    async def open(self, user_id: str) -> None:
        """Create the user's account (with the sign-up grant) unless it exists."""
        now = time.time()
        await self._ledger.write(lambda sql: ledger.open_account(sql, user_id, self._signup, now))

    async def account(self, user_id: str) -> Account:
        """The balance, and what live reservations hold of it (0 and 0 before any)."""
        live = CreditHolderRow.renewed_at >= time.time() - self._ttl
        reserved = (
            select(func.coalesce(func.sum(CreditReservationRow.amount), 0))
            .join(CreditHolderRow, CreditHolderRow.id == CreditReservationRow.holder)
            .where(CreditReservationRow.user_id == user_id, live)
        )
        balance = select(UserCreditRow.balance).where(UserCreditRow.user_id == user_id)
        async with self._engine.connect() as conn:
            found = (await conn.execute(balance)).scalar()
            held = (await conn.execute(reserved)).scalar_one()
        return Account(balance=int(found or 0), reserved=int(held))

    async def transactions(
        self, user_id: str, kind: CreditKind | None = None, limit: int = 50, offset: int = 0
    ) -> TransactionPage:
        """The user's transactions, newest first (of one kind when ``kind`` is given)."""
        where = [CreditTransactionRow.user_id == user_id]
        if kind is not None:
            where.append(CreditTransactionRow.kind == str(kind))
        count = select(func.count()).select_from(CreditTransactionRow).where(*where)
        table = CreditTransactionRow.__table__
        columns = [table.c[name] for name in ledger.TRANSACTION_COLUMNS]
        query = (
            select(*columns, GraphExecRow.graph_id)
            .outerjoin(GraphExecRow, GraphExecRow.id == CreditTransactionRow.graph_exec_id)
            .where(*where)
            .order_by(CreditTransactionRow.created_at.desc(), CreditTransactionRow.id.desc())
            .limit(max(limit, 0))
            .offset(max(offset, 0))
        )
        async with self._engine.connect() as conn:
            total = int((await conn.execute(count)).scalar_one())
            rows = (await conn.execute(query)).all()
        width = len(ledger.TRANSACTION_COLUMNS)
        page = [
            (
                Transaction(**dict(zip(ledger.TRANSACTION_COLUMNS, row[:width], strict=True))),
                row[width],
            )
            for row in rows
        ]
        return TransactionPage(page, total)

    async def run_cost(self, user_id: str, graph_exec_id: str) -> int:
        """What the run's node executions were charged, in credits (its usage, positive)."""
        query = select(func.coalesce(func.sum(CreditTransactionRow.amount), 0)).where(
            CreditTransactionRow.user_id == user_id,
            CreditTransactionRow.graph_exec_id == graph_exec_id,
            CreditTransactionRow.kind == str(CreditKind.USAGE),
        )
        async with self._engine.connect() as conn:
            return -int((await conn.execute(query)).scalar_one())

    async def add(
        self, user_id: str, kind: CreditKind, amount: int, reason: str, admin_id: str | None
    ) -> Transaction:
        """Post a top-up, grant or refund. A negative amount (a correction) is refused when
        it would leave the user less than their running nodes have reserved."""
        entry = Entry(user_id, amount, kind, reason=reason, admin_id=admin_id)
        now = time.time()
        live_after = now - self._ttl

        def write(sql: Sql) -> Transaction:
            ledger.open_account(sql, user_id, self._signup, now)
            if amount < 0:
                balance, held = ledger.available(sql, user_id, live_after)
                if balance - held + amount < 0:
                    raise InsufficientBalanceError(
                        f"The user has {ledger.credits(max(balance - held, 0))} available; "
                        f"cannot take {-amount}",
                        user_id=user_id,
                    )
            return ledger.post(sql, [entry])[0]

        return await self._ledger.write(write)

"""The credit ledger's writes: SQL that SQLite and PostgreSQL both run, inside a transaction.

Every function here takes a :class:`Sql` (a connection already inside a write transaction:
``BEGIN IMMEDIATE`` on SQLite, which holds the whole database; on PostgreSQL the user's
``user_credits`` row is locked ``FOR UPDATE`` where a decision depends on it), so the
engine's group commit (:mod:`.run_backends`) and the credit repositories share one code
path on both databases. The guarantees:

- **Balance = sum of transactions.** A row in ``credit_transactions`` and the move of
  ``user_credits.balance`` by its amount are always written together (:func:`post`), and
  each row records the balance right after it (``running_balance``).
- **No overdraft by concurrent runs.** A node's cost is *reserved* before it runs: the
  user's row is locked, the live reservations of every process are summed, and the new
  one is added only if the balance covers them all (:func:`reserve`). The charge at the
  node's completion consumes the reservation in the same transaction that posts it.
- **A crashed process frees what it held.** Reservations belong to a *holder* (one per
  process) that renews ``credit_holders.renewed_at``; those of a holder that stopped
  renewing are ignored by the sum and swept away.

Locks are always taken in the same order (a user's ``user_credits`` row, then reservation
rows; several users in the order of their ids), so two processes never deadlock.
"""

import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from blockyard.errors import InsufficientBalanceError


class CreditKind(StrEnum):
    """Kinds of transaction (AutoGPT's ``CreditTransactionType`` names)."""

    TOP_UP = "TOP_UP"
    """Credits bought or added by an administrator on a payment's behalf."""
    USAGE = "USAGE"
    """A node execution's cost (negative), written with the node's completion."""
    GRANT = "GRANT"
    """Credits given: the sign-up grant, or an administrator's grant (or correction)."""
    REFUND = "REFUND"
    """Credits given back, e.g. for runs that failed through no fault of the user's."""


SIGNUP_REASON = "Sign-up credits"
HOLDER_TTL = 60.0
"""Seconds after its last renewal that a holder's reservations stop counting (a process
renews every :data:`RENEW_EVERY` seconds while it lives)."""
RENEW_EVERY = 10.0

TRANSACTION_COLUMNS: tuple[str, ...] = (
    "id", "user_id", "amount", "kind", "running_balance", "graph_exec_id", "node_exec_id",
    "block_id", "reason", "admin_id", "created_at",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Entry:
    """A transaction to post; ``amount`` is signed (usage negative)."""

    user_id: str
    amount: int
    kind: CreditKind
    graph_exec_id: str | None = None
    node_exec_id: str | None = None
    block_id: str | None = None
    reason: str | None = None
    admin_id: str | None = None


@dataclass(frozen=True, slots=True)
class Transaction:
    """A transaction as stored."""

    id: str
    user_id: str
    amount: int
    kind: str
    running_balance: int
    graph_exec_id: str | None
    node_exec_id: str | None
    block_id: str | None
    reason: str | None
    admin_id: str | None
    created_at: float


class Sql(Protocol):
    """A connection inside a write transaction, running ``:name``-parameter SQL."""

    lock_suffix: str
    """``" FOR UPDATE"`` on PostgreSQL; empty on SQLite, whose transaction holds it all."""

    def rows(self, sql: str, params: Mapping[str, Any]) -> list[Sequence[Any]]: ...

    def many(self, sql: str, params: Sequence[Mapping[str, Any]]) -> None: ...


OPEN = (
    "INSERT INTO user_credits (user_id, balance, updated_at) VALUES (:user_id, :balance, :now) "
    "ON CONFLICT (user_id) DO NOTHING RETURNING balance"
)
BALANCE = "SELECT balance FROM user_credits WHERE user_id = :user_id"
HELD = (
    "SELECT COALESCE(SUM(r.amount), 0) FROM credit_reservations r "
    "JOIN credit_holders h ON h.id = r.holder "
    "WHERE r.user_id = :user_id AND h.renewed_at >= :live_after"
)
HOLD = (
    "INSERT INTO credit_reservations (holder, user_id, amount) VALUES (:holder, :user_id, :amount) "
    "ON CONFLICT (holder, user_id) DO UPDATE "
    "SET amount = credit_reservations.amount + excluded.amount"
)
UNHOLD = (
    "UPDATE credit_reservations SET amount = CASE WHEN amount > :amount "
    "THEN amount - :amount ELSE 0 END WHERE holder = :holder AND user_id = :user_id"
)
MOVE = (
    "INSERT INTO user_credits (user_id, balance, updated_at) VALUES (:user_id, :delta, :now) "
    "ON CONFLICT (user_id) DO UPDATE "
    "SET balance = user_credits.balance + excluded.balance, updated_at = excluded.updated_at "
    "RETURNING balance"
)
INSERT_TRANSACTION = (
    f"INSERT INTO credit_transactions ({', '.join(TRANSACTION_COLUMNS)}) "
    f"VALUES ({', '.join(':' + name for name in TRANSACTION_COLUMNS)})"
)
RENEW = (
    "INSERT INTO credit_holders (id, renewed_at) VALUES (:holder, :now) "
    "ON CONFLICT (id) DO UPDATE SET renewed_at = excluded.renewed_at"
)
SWEEP_HOLDERS = "DELETE FROM credit_holders WHERE renewed_at < :live_after"
SWEEP_RESERVATIONS = (
    "DELETE FROM credit_reservations WHERE holder NOT IN (SELECT id FROM credit_holders)"
)
"""Only rows of holders that are gone: rows a live process may lock are left alone (a
spent reservation stays as a row of 0 until its holder stops), so sweeping never takes
part in a lock cycle."""
FORGET_HOLDER = "DELETE FROM credit_holders WHERE id = :holder"
FORGET_RESERVATIONS = "DELETE FROM credit_reservations WHERE holder = :holder"


def open_account(sql: Sql, user_id: str, signup: int, now: float) -> bool:
    """Create the user's balance row if missing, with the sign-up grant (once, ever)."""
    created = sql.rows(OPEN, {"user_id": user_id, "balance": max(signup, 0), "now": now})
    if created and signup > 0:
        grant = Entry(user_id, signup, CreditKind.GRANT, reason=SIGNUP_REASON)
        sql.many(INSERT_TRANSACTION, [_params(grant, signup, now)])
    return bool(created)


def available(sql: Sql, user_id: str, live_after: float) -> tuple[int, int]:
    """``(balance, held)`` with the user's row locked: what live reservations hold of it."""
    found = sql.rows(BALANCE + sql.lock_suffix, {"user_id": user_id})
    balance = int(found[0][0]) if found else 0
    (held,) = sql.rows(HELD, {"user_id": user_id, "live_after": live_after})[0]
    return balance, int(held)


def reserve(sql: Sql, holder: str, user_id: str, amount: int, live_after: float) -> None:
    """Hold ``amount`` for ``holder``; InsufficientBalanceError when the balance, less
    every live reservation, does not cover it."""
    balance, held = available(sql, user_id, live_after)
    if balance - held < amount:
        raise InsufficientBalanceError(
            f"Insufficient balance: {credits(max(balance - held, 0))} available, {amount} needed",
            user_id=user_id,
        )
    sql.rows(HOLD, {"holder": holder, "user_id": user_id, "amount": amount})


def credits(n: int) -> str:
    return f"{n} credit" if n == 1 else f"{n} credits"


def release(sql: Sql, holder: str, user_id: str, amount: int) -> None:
    sql.rows(UNHOLD, {"holder": holder, "user_id": user_id, "amount": amount})


def post(sql: Sql, entries: Sequence[Entry], holder: str | None = None) -> list[Transaction]:
    """Append ``entries`` and move each user's balance by their sum (users in id order).

    With ``holder``, the usage posted consumes that holder's reservation for the user.
    """
    now = time.time()
    by_user: dict[str, list[Entry]] = {}
    for entry in entries:
        by_user.setdefault(entry.user_id, []).append(entry)
    rows: list[dict[str, Any]] = []
    for user_id in sorted(by_user):
        mine = by_user[user_id]
        delta = sum(e.amount for e in mine)
        (after,) = sql.rows(MOVE, {"user_id": user_id, "delta": delta, "now": now})[0]
        running = int(after) - delta
        for entry in mine:
            running += entry.amount
            rows.append(_params(entry, running, now))
        used = -sum(e.amount for e in mine if e.kind == CreditKind.USAGE)
        if holder is not None and used > 0:
            release(sql, holder, user_id, used)
    if rows:
        sql.many(INSERT_TRANSACTION, rows)
    return [Transaction(**row) for row in rows]


def renew(sql: Sql, holder: str, now: float, live_after: float) -> None:
    """Keep ``holder`` alive and sweep away holders (and their reservations) that are not."""
    sql.rows(RENEW, {"holder": holder, "now": now})
    sql.rows(SWEEP_HOLDERS, {"live_after": live_after})
    sql.rows(SWEEP_RESERVATIONS, {})


def forget(sql: Sql, holder: str) -> None:
    """A holder that stops cleanly gives back everything it held."""
    sql.rows(FORGET_RESERVATIONS, {"holder": holder})
    sql.rows(FORGET_HOLDER, {"holder": holder})


def _params(entry: Entry, running_balance: int, now: float) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "user_id": entry.user_id,
        "amount": entry.amount,
        "kind": str(entry.kind),
        "running_balance": running_balance,
        "graph_exec_id": entry.graph_exec_id,
        "node_exec_id": entry.node_exec_id,
        "block_id": entry.block_id,
        "reason": entry.reason,
        "admin_id": entry.admin_id,
        "created_at": now,
    }

"""How :class:`~blockyard.store.executions.SqlRunStore` talks to each database.

SQLite: every call is one hop to the writer thread, where plain :mod:`sqlite3` runs
``executemany`` upserts inside ``BEGIN IMMEDIATE ... COMMIT`` (reads go the same way: one
hop instead of aiosqlite's several). PostgreSQL: the asyncpg-backed async engine runs the
same upserts as SQLAlchemy Core ``executemany`` in one transaction. The SQL of both is
derived from the column lists in :mod:`.exec_rows`, which a test holds equal to the tables.

Admitting a run under the runs-per-user limit counts the user's active runs and inserts
the new one in one transaction that first takes a lock for that user, so two API
processes submitting at once cannot both take the last place: on SQLite ``BEGIN
IMMEDIATE`` (one writer at a time, across processes), on PostgreSQL a transaction-scoped
advisory lock keyed by the user (other users are not held up).

A batch's charges are posted to the credit ledger in the batch's own transaction
(:func:`~blockyard.store.ledger.post`: the usage rows, the balances, and the consumption of
the reservations this process's billing holder made for them).
"""

import hashlib
import sqlite3
from typing import Any, Protocol

from sqlalchemy import Insert, Table, func, select
from sqlalchemy.dialects import postgresql

from blockyard.engine.ports import GraphExecRecord, NodeExecRecord
from blockyard.engine.states import ExecutionStatus
from blockyard.errors import ConflictError
from blockyard.store import ledger
from blockyard.store.db import Database, conflict_on_integrity_error
from blockyard.store.exec_rows import (
    GRAPH_EXEC_COLUMNS,
    GRAPH_EXEC_JSON,
    GRAPH_EXEC_STATE,
    NODE_EXEC_COLUMNS,
    NODE_EXEC_JSON,
    NODE_EXEC_STATE,
    BatchRows,
    Row,
    decode_json,
    graph_exec_record,
    json_positions,
    node_exec_record,
)
from blockyard.store.ledger_db import AlchemySql, SqliteSql
from blockyard.store.sqlite_writer import SqliteWriter, write_in_transaction
from blockyard.store.tables import metadata

INLINE_ROWS = 32
"""Batches up to this many rows commit on the event loop's thread (no hop; see
:meth:`SqliteWriter.run_inline`); larger ones in the writer thread, off the loop."""
UNFINISHED = (ExecutionStatus.QUEUED.value, ExecutionStatus.RUNNING.value)
ACTIVE = (*UNFINISHED, ExecutionStatus.WAITING.value)
"""What counts against the runs-per-user limit (top-level runs only)."""
RUN_ADMISSION_LOCK = 0x52554E53
"""PostgreSQL advisory lock class of run admission (the key is a hash of the user id; the
two-key space does not overlap the one-key space of the migration lock)."""
LOOKUP_COLUMNS = frozenset({"id", "idempotency_key"})


def _duplicate(row: Row) -> ConflictError:
    return ConflictError(
        f"Execution {row[0]} (or its idempotency key) already exists", graph_exec_id=row[0]
    )


def _user_lock_key(user_id: str) -> int:
    return int.from_bytes(hashlib.blake2b(user_id.encode(), digest_size=4).digest(), signed=True)


class RunBackend(Protocol):
    async def insert_graph_exec(self, row: Row) -> None: ...

    async def admit_graph_exec(self, row: Row, user_id: str, max_active: int) -> int: ...

    async def write(self, rows: BatchRows) -> None: ...

    async def graph_exec(self, column: str, value: str) -> GraphExecRecord | None: ...

    async def node_execs(self, graph_exec_id: str) -> list[NodeExecRecord]: ...

    async def unfinished(self) -> list[str]: ...


def _insert_sql(table: str, columns: tuple[str, ...]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


def _upsert_sql(table: str, columns: tuple[str, ...], state: tuple[str, ...]) -> str:
    updates = ", ".join(f"{name} = excluded.{name}" for name in state)
    return f"{_insert_sql(table, columns)} ON CONFLICT (id) DO UPDATE SET {updates}"


class SqliteRunBackend:
    """Everything in the writer thread, on its own :mod:`sqlite3` connection."""

    INSERT_GRAPH = _insert_sql("graph_executions", GRAPH_EXEC_COLUMNS)
    UPSERT_GRAPH = _upsert_sql("graph_executions", GRAPH_EXEC_COLUMNS, GRAPH_EXEC_STATE)
    UPSERT_NODE = _upsert_sql("node_executions", NODE_EXEC_COLUMNS, NODE_EXEC_STATE)
    SELECT_GRAPH = f"SELECT {', '.join(GRAPH_EXEC_COLUMNS)} FROM graph_executions WHERE "
    SELECT_NODES = (
        f"SELECT {', '.join(NODE_EXEC_COLUMNS)} FROM node_executions "
        "WHERE graph_exec_id = ? ORDER BY seq, id"
    )
    COUNT_ACTIVE = (
        "SELECT count(*) FROM graph_executions WHERE user_id = ? AND parent_exec_id IS NULL "
        "AND status IN (?, ?, ?)"
    )
    SELECT_UNFINISHED = (
        "SELECT id FROM graph_executions WHERE status IN (?, ?) AND parent_exec_id IS NULL "
        "ORDER BY created_at, id"
    )
    GRAPH_JSON = json_positions(GRAPH_EXEC_COLUMNS, GRAPH_EXEC_JSON)
    NODE_JSON = json_positions(NODE_EXEC_COLUMNS, NODE_EXEC_JSON)

    def __init__(self, writer: SqliteWriter, credit_holder: str | None = None) -> None:
        self._writer = writer
        self._holder = credit_holder

    async def insert_graph_exec(self, row: Row) -> None:
        def insert(conn: sqlite3.Connection) -> None:
            conn.execute(self.INSERT_GRAPH, row)

        try:
            await self._writer.run(lambda conn: write_in_transaction(conn, insert))
        except sqlite3.IntegrityError:
            raise _duplicate(row) from None

    async def admit_graph_exec(self, row: Row, user_id: str, max_active: int) -> int:
        def admit(conn: sqlite3.Connection) -> int:
            (active,) = conn.execute(self.COUNT_ACTIVE, (user_id, *ACTIVE)).fetchone()
            if active < max_active:
                conn.execute(self.INSERT_GRAPH, row)
            return int(active)

        try:
            return await self._writer.run(lambda conn: write_in_transaction(conn, admit))
        except sqlite3.IntegrityError:
            raise _duplicate(row) from None

    async def write(self, rows: BatchRows) -> None:
        def write_rows(conn: sqlite3.Connection) -> None:
            if rows.graph_execs:
                conn.executemany(self.UPSERT_GRAPH, rows.graph_execs)
            if rows.node_execs:
                conn.executemany(self.UPSERT_NODE, rows.node_execs)
            if rows.charges:
                ledger.post(SqliteSql(conn), rows.charges, self._holder)

        if len(rows.node_execs) + len(rows.graph_execs) <= INLINE_ROWS:
            try:
                self._writer.run_inline(lambda conn: write_in_transaction(conn, write_rows))
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
        await self._writer.run(lambda conn: write_in_transaction(conn, write_rows))

    async def graph_exec(self, column: str, value: str) -> GraphExecRecord | None:
        if column not in LOOKUP_COLUMNS:
            raise ValueError(f"cannot look executions up by {column}")

        def read(conn: sqlite3.Connection) -> GraphExecRecord | None:
            row = conn.execute(f"{self.SELECT_GRAPH}{column} = ?", (value,)).fetchone()
            return graph_exec_record(decode_json(row, self.GRAPH_JSON)) if row else None

        return await self._writer.run(read)

    async def node_execs(self, graph_exec_id: str) -> list[NodeExecRecord]:
        def read(conn: sqlite3.Connection) -> list[NodeExecRecord]:
            rows = conn.execute(self.SELECT_NODES, (graph_exec_id,)).fetchall()
            return [node_exec_record(decode_json(row, self.NODE_JSON)) for row in rows]

        return await self._writer.run(read)

    async def unfinished(self) -> list[str]:
        def read(conn: sqlite3.Connection) -> list[str]:
            return [row[0] for row in conn.execute(self.SELECT_UNFINISHED, UNFINISHED)]

        return await self._writer.run(read)


def _pg_upsert(table: Table, state: tuple[str, ...]) -> Insert:
    stmt = postgresql.insert(table)
    updates = {name: stmt.excluded[name] for name in state}
    return stmt.on_conflict_do_update(index_elements=[table.c.id], set_=updates)


def _params(columns: tuple[str, ...], rows: list[Row]) -> list[dict[str, Any]]:
    return [dict(zip(columns, row, strict=True)) for row in rows]


class PostgresRunBackend:
    """SQLAlchemy Core on the async engine; JSON arrives pre-encoded (``codec.Encoded``)."""

    def __init__(self, db: Database, credit_holder: str | None = None) -> None:
        self._engine = db.engine
        self._holder = credit_holder
        self._graphs = metadata.tables["graph_executions"]
        self._nodes = metadata.tables["node_executions"]
        self._upsert_graph = _pg_upsert(self._graphs, GRAPH_EXEC_STATE)
        self._upsert_node = _pg_upsert(self._nodes, NODE_EXEC_STATE)

    async def insert_graph_exec(self, row: Row) -> None:
        with conflict_on_integrity_error(_duplicate(row).message, graph_exec_id=row[0]):
            async with self._engine.begin() as conn:
                await conn.execute(self._graphs.insert(), _params(GRAPH_EXEC_COLUMNS, [row]))

    async def admit_graph_exec(self, row: Row, user_id: str, max_active: int) -> int:
        graphs = self._graphs
        lock = select(func.pg_advisory_xact_lock(RUN_ADMISSION_LOCK, _user_lock_key(user_id)))
        count = select(func.count()).where(
            graphs.c.user_id == user_id,
            graphs.c.parent_exec_id.is_(None),
            graphs.c.status.in_(ACTIVE),
        )
        with conflict_on_integrity_error(_duplicate(row).message, graph_exec_id=row[0]):
            async with self._engine.begin() as conn:
                await conn.execute(lock)  # held until this transaction ends
                active = int((await conn.execute(count)).scalar_one())
                if active < max_active:
                    await conn.execute(graphs.insert(), _params(GRAPH_EXEC_COLUMNS, [row]))
        return active

    async def write(self, rows: BatchRows) -> None:
        async with self._engine.begin() as conn:
            if rows.graph_execs:
                params = _params(GRAPH_EXEC_COLUMNS, rows.graph_execs)
                await conn.execute(self._upsert_graph, params)
            if rows.node_execs:
                await conn.execute(self._upsert_node, _params(NODE_EXEC_COLUMNS, rows.node_execs))
            if rows.charges:
                charges, holder = rows.charges, self._holder
                await conn.run_sync(lambda c: ledger.post(AlchemySql(c), charges, holder))

    async def graph_exec(self, column: str, value: str) -> GraphExecRecord | None:
        if column not in LOOKUP_COLUMNS:
            raise ValueError(f"cannot look executions up by {column}")
        columns = [self._graphs.c[name] for name in GRAPH_EXEC_COLUMNS]
        query = select(*columns).where(self._graphs.c[column] == value)
        async with self._engine.connect() as conn:
            row = (await conn.execute(query)).first()
        return graph_exec_record(row) if row is not None else None

    async def node_execs(self, graph_exec_id: str) -> list[NodeExecRecord]:
        nodes = self._nodes
        query = (
            select(*[nodes.c[name] for name in NODE_EXEC_COLUMNS])
            .where(nodes.c.graph_exec_id == graph_exec_id)
            .order_by(nodes.c.seq, nodes.c.id)
        )
        async with self._engine.connect() as conn:
            return [node_exec_record(row) for row in await conn.execute(query)]

    async def unfinished(self) -> list[str]:
        graphs = self._graphs
        query = (
            select(graphs.c.id)
            .where(graphs.c.status.in_(UNFINISHED), graphs.c.parent_exec_id.is_(None))
            .order_by(graphs.c.created_at, graphs.c.id)
        )
        async with self._engine.connect() as conn:
            return list((await conn.scalars(query)).all())


def run_backend(db: Database, credit_holder: str | None = None) -> RunBackend:
    """``credit_holder``: the billing holder whose reservations the charges consume."""
    if db.sqlite_writer is not None:
        return SqliteRunBackend(db.sqlite_writer, credit_holder)
    return PostgresRunBackend(db, credit_holder)

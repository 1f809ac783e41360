"""Executions: the engine's durable store, and the API's owner-scoped read side.

:class:`SqlRunStore` implements :class:`~blockyard.engine.ports.RunStore`. Its
:meth:`~SqlRunStore.commit` is the engine's group commit: the whole batch (graph and node
records upserted by id, charges inserted) is written in one transaction, and its cost is
what every node pays, so it is built for speed (see :mod:`.run_backends`).

:class:`ExecutionRepo` is what routes read: a user's runs, newest first, and their node
executions; another user's run is NotFoundError, like one that does not exist.
"""

import builtins
from typing import Any

from sqlalchemy import Text, cast, or_, select, update

from blockyard.engine.ports import Batch, GraphExecRecord, NodeExecRecord
from blockyard.engine.secret_inputs import SEALED
from blockyard.errors import NotFoundError
from blockyard.store.db import Database
from blockyard.store.exec_rows import (
    GRAPH_EXEC_COLUMNS,
    NODE_EXEC_COLUMNS,
    batch_rows,
    graph_exec_record,
    graph_exec_row,
    node_exec_record,
)
from blockyard.store.run_backends import run_backend
from blockyard.store.tables import metadata


class SqlRunStore:
    """The engine's RunStore on SQLite or PostgreSQL."""

    def __init__(self, db: Database, credit_holder: str | None = None) -> None:
        """``credit_holder``: the :class:`~blockyard.store.credits.SqlBilling` holder of
        this process, whose reservations the charges it commits consume."""
        self._backend = run_backend(db, credit_holder)

    async def create_graph_exec(self, record: GraphExecRecord) -> None:
        """Insert a new run; ConflictError when its id or idempotency key exists."""
        await self._backend.insert_graph_exec(graph_exec_row(record))

    async def admit_graph_exec(self, record: GraphExecRecord, max_active: int) -> int:
        """Insert a new top-level run unless its user has ``max_active`` active ones; the
        count found. One locked transaction (see :mod:`.run_backends`)."""
        row = graph_exec_row(record)
        return await self._backend.admit_graph_exec(row, record.user_id, max_active)

    async def get_graph_exec(self, graph_exec_id: str) -> GraphExecRecord | None:
        return await self._backend.graph_exec("id", graph_exec_id)

    async def find_graph_exec_by_key(self, idempotency_key: str) -> GraphExecRecord | None:
        return await self._backend.graph_exec("idempotency_key", idempotency_key)

    async def list_node_execs(self, graph_exec_id: str) -> list[NodeExecRecord]:
        """Every node execution of the run, ordered by ``seq``."""
        return await self._backend.node_execs(graph_exec_id)

    async def commit(self, batch: Batch) -> None:
        """Write every record (upsert by id) and charge in one transaction."""
        rows = batch_rows(batch)  # before any await: the engine keeps changing its records
        if rows.graph_execs or rows.node_execs or rows.charges:
            await self._backend.write(rows)

    async def unfinished_graph_execs(self) -> list[str]:
        """Ids of top-level runs that are QUEUED or RUNNING, oldest first."""
        return await self._backend.unfinished()


class ExecutionRepo:
    def __init__(self, db: Database) -> None:
        self._engine = db.engine
        self._graphs = metadata.tables["graph_executions"]
        self._nodes = metadata.tables["node_executions"]

    async def list(
        self, user_id: str, graph_id: str | None = None, limit: int = 50, offset: int = 0
    ) -> builtins.list[GraphExecRecord]:
        """The user's runs (of one agent when ``graph_id`` is given), newest first."""
        graphs = self._graphs
        query = select(*[graphs.c[name] for name in GRAPH_EXEC_COLUMNS]).where(
            graphs.c.user_id == user_id
        )
        if graph_id is not None:
            query = query.where(graphs.c.graph_id == graph_id)
        query = query.order_by(graphs.c.created_at.desc(), graphs.c.id.desc())
        query = query.limit(max(limit, 0)).offset(max(offset, 0))
        async with self._engine.connect() as conn:
            return [graph_exec_record(row) for row in await conn.execute(query)]

    async def get(self, user_id: str, graph_exec_id: str) -> GraphExecRecord:
        graphs = self._graphs
        query = select(*[graphs.c[name] for name in GRAPH_EXEC_COLUMNS]).where(
            graphs.c.id == graph_exec_id, graphs.c.user_id == user_id
        )
        async with self._engine.connect() as conn:
            row = (await conn.execute(query)).first()
        if row is None:
            raise NotFoundError(f"Execution {graph_exec_id} not found", graph_exec_id=graph_exec_id)
        return graph_exec_record(row)

    async def children(self, user_id: str, graph_exec_id: str) -> builtins.list[GraphExecRecord]:
        """The sub-agent runs that the run's nodes started, oldest first."""
        graphs = self._graphs
        query = (
            select(*[graphs.c[name] for name in GRAPH_EXEC_COLUMNS])
            .where(graphs.c.parent_exec_id == graph_exec_id, graphs.c.user_id == user_id)
            .order_by(graphs.c.created_at, graphs.c.id)
        )
        async with self._engine.connect() as conn:
            return [graph_exec_record(row) for row in await conn.execute(query)]

    async def node_execs(
        self, user_id: str, graph_exec_id: str, after_seq: int = 0
    ) -> builtins.list[NodeExecRecord]:
        """The run's node executions by ``seq``. With ``after_seq`` > 0, only those whose last
        published change came after that event (``event_seq`` greater, or unknown: 0), for a
        client catching up."""
        await self.get(user_id, graph_exec_id)
        nodes = self._nodes
        query = select(*[nodes.c[name] for name in NODE_EXEC_COLUMNS]).where(
            nodes.c.graph_exec_id == graph_exec_id
        )
        if after_seq > 0:
            query = query.where(or_(nodes.c.event_seq > after_seq, nodes.c.event_seq == 0))
        query = query.order_by(nodes.c.seq, nodes.c.id)
        async with self._engine.connect() as conn:
            return [node_exec_record(row) for row in await conn.execute(query)]


class SealedInputsRepo:
    """Runs with sealed secret inputs, for key rotation (which re-seals them)."""

    def __init__(self, db: Database) -> None:
        self._engine = db.engine
        self._graphs = metadata.tables["graph_executions"]

    async def page(
        self, after_id: str = "", limit: int = 200
    ) -> builtins.list[tuple[str, str, dict[str, Any]]]:
        """``(id, user_id, inputs)`` of up to ``limit`` runs after ``after_id`` (by id)
        whose inputs hold a sealed value (possibly: the caller checks each value)."""
        graphs = self._graphs
        query = (
            select(graphs.c.id, graphs.c.user_id, graphs.c.inputs)
            .where(cast(graphs.c.inputs, Text).like(f'%"{SEALED}"%'), graphs.c.id > after_id)
            .order_by(graphs.c.id)
            .limit(limit)
        )
        async with self._engine.connect() as conn:
            return [(row[0], row[1], dict(row[2])) for row in await conn.execute(query)]

    async def replace(self, graph_exec_id: str, inputs: dict[str, Any]) -> None:
        """Write the run's inputs again (re-sealed). Nothing else changes a run's inputs
        after it is created, so no compare-and-set is needed."""
        graphs = self._graphs
        query = update(graphs).where(graphs.c.id == graph_exec_id).values(inputs=inputs)
        async with self._engine.begin() as conn:
            await conn.execute(query)

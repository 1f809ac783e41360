"""Saved agents: versioned graphs owned by one user, and the engine's view of them.

Every save is a new version (``max + 1``) that becomes the active one; older versions stay
and can still run. A version never changes once saved, which is what lets
:class:`SqlGraphSource` keep graphs in memory. Ids are kept as given: choosing fresh ids
for an imported or copied agent is the caller's job.

Sub-graphs (the agents that Agent Executor nodes run) are stored as graphs of the same
user, with the ids and versions they carry, so those nodes can refer to them;
``get(..., with_sub_graphs=True)`` fills ``sub_graphs`` back in, transitively.
"""

import builtins
import time
from collections import OrderedDict
from dataclasses import dataclass

from sqlalchemy import Select, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from blockyard.errors import ConflictError, NotFoundError
from blockyard.graph.model import BaseGraph, Graph
from blockyard.store.db import Database, conflict_on_integrity_error
from blockyard.store.graph_rows import GraphKey, insert_graph, load_graphs
from blockyard.store.tables import GraphRow, LinkRow, NodeRow

AGENT_EXECUTOR_BLOCK_ID = "e189baac-8c20-45a1-94a7-55177ea42565"
"""AutoGPT's AgentExecutorBlock: ``input_default`` names the sub-graph it runs."""


@dataclass(frozen=True, slots=True)
class GraphMeta:
    """The active version of an agent, for lists. ``created_at`` is when the agent was first
    saved, ``updated_at`` when any version of it last changed (saved or activated)."""

    id: str
    version: int
    name: str
    description: str
    is_active: bool
    created_at: float
    updated_at: float


def sub_graph_refs(graph: BaseGraph) -> builtins.list[tuple[str, int | None]]:
    """``(graph id, version or None for active)`` of every Agent Executor node."""
    refs: builtins.list[tuple[str, int | None]] = []
    for node in graph.nodes:
        graph_id = node.input_default.get("graph_id")
        if node.block_id != AGENT_EXECUTOR_BLOCK_ID or not isinstance(graph_id, str):
            continue
        version = node.input_default.get("graph_version")
        try:
            refs.append((graph_id, int(version) if version is not None else None))
        except (TypeError, ValueError):
            refs.append((graph_id, None))
    return refs


def _owned(user_id: str, graph_id: str) -> Select[GraphRow]:
    return select(GraphRow).where(GraphRow.id == graph_id, GraphRow.user_id == user_id)


def _not_found(graph_id: str, version: int | None = None) -> NotFoundError:
    what = f"Agent {graph_id}" + (f" version {version}" if version is not None else "")
    return NotFoundError(f"{what} not found", graph_id=graph_id, graph_version=version)


class GraphRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def create(self, user_id: str, graph: Graph) -> Graph:
        """Store ``graph`` as version 1, active, with its sub-graphs; ConflictError if the
        id is taken."""
        now = time.time()
        with conflict_on_integrity_error(f"An agent with id {graph.id} exists", graph_id=graph.id):
            async with self._db.sessions.begin() as session:
                await self._store_sub_graphs(session, user_id, graph, now)
                await insert_graph(session, user_id, graph, version=1, is_active=True, now=now)
        return graph.model_copy(update={"version": 1, "is_active": True, "user_id": user_id})

    async def save_version(self, user_id: str, graph_id: str, graph: Graph) -> Graph:
        """Store ``graph`` as the next version of ``graph_id`` and make it the active one."""
        now = time.time()
        message = f"Agent {graph_id} was saved concurrently; try again"
        with conflict_on_integrity_error(message, graph_id=graph_id):
            async with self._db.sessions.begin() as session:
                latest = await session.scalar(
                    select(func.max(GraphRow.version)).where(
                        GraphRow.id == graph_id, GraphRow.user_id == user_id
                    )
                )
                if latest is None:
                    raise _not_found(graph_id)
                saved = graph.model_copy(update={"id": graph_id, "version": latest + 1})
                await session.execute(
                    update(GraphRow).where(GraphRow.id == graph_id).values(is_active=False)
                )
                await self._store_sub_graphs(session, user_id, saved, now)
                await insert_graph(
                    session, user_id, saved, version=saved.version, is_active=True, now=now
                )
        return saved.model_copy(update={"is_active": True, "user_id": user_id})

    async def get(
        self,
        user_id: str,
        graph_id: str,
        version: int | None = None,
        *,
        with_sub_graphs: bool = False,
    ) -> Graph:
        """The graph at ``version`` (the active one when None); NotFoundError if absent or
        not the user's."""
        async with self._db.sessions() as session:
            row = await self._version_row(session, user_id, graph_id, version)
            if row is None:
                raise _not_found(graph_id, version)
            (graph,) = await load_graphs(session, [row])
            if with_sub_graphs:
                graph.sub_graphs = await self._sub_graphs(session, user_id, graph)
        return graph

    async def resolve_version(self, user_id: str, graph_id: str, version: int | None) -> int:
        """The version ``get`` would return (checks that it exists and is the user's)."""
        async with self._db.sessions() as session:
            row = await self._version_row(session, user_id, graph_id, version)
        if row is None:
            raise _not_found(graph_id, version)
        return row.version

    async def list(self, user_id: str) -> builtins.list[GraphMeta]:
        """The active version of each of the user's agents, most recently changed first."""
        spans = (
            select(
                GraphRow.id,
                func.min(GraphRow.created_at).label("created_at"),
                func.max(GraphRow.updated_at).label("updated_at"),
            )
            .where(GraphRow.user_id == user_id)
            .group_by(GraphRow.id)
            .subquery()
        )
        query = (
            select(
                GraphRow.id,
                GraphRow.version,
                GraphRow.name,
                GraphRow.description,
                spans.c.created_at,
                spans.c.updated_at,
            )
            .join(spans, spans.c.id == GraphRow.id)
            .where(GraphRow.user_id == user_id, GraphRow.is_active.is_(True))
            .order_by(spans.c.updated_at.desc(), GraphRow.id)
        )
        async with self._db.sessions() as session:
            rows = (await session.execute(query)).all()
        return [
            GraphMeta(
                id=row.id,
                version=row.version,
                name=row.name,
                description=row.description,
                is_active=True,
                created_at=float(row.created_at),
                updated_at=float(row.updated_at),
            )
            for row in rows
        ]

    async def versions(self, user_id: str, graph_id: str) -> builtins.list[Graph]:
        """Every version of the agent, newest first."""
        query = _owned(user_id, graph_id).order_by(GraphRow.version.desc())
        async with self._db.sessions() as session:
            rows = (await session.scalars(query)).all()
            if not rows:
                raise _not_found(graph_id)
            return await load_graphs(session, rows)

    async def set_active(self, user_id: str, graph_id: str, version: int) -> Graph:
        """Make ``version`` the one that runs by default."""
        async with self._db.sessions.begin() as session:
            row = await self._version_row(session, user_id, graph_id, version)
            if row is None:
                raise _not_found(graph_id, version)
            await session.execute(
                update(GraphRow)
                .where(GraphRow.id == graph_id)
                .values(is_active=GraphRow.version == version)
            )
            await session.execute(
                update(GraphRow)
                .where(GraphRow.id == graph_id, GraphRow.version == version)
                .values(updated_at=time.time())
            )
        return await self.get(user_id, graph_id, version)

    async def delete(self, user_id: str, graph_id: str) -> None:
        """Delete every version; executions of the agent keep their rows."""
        async with self._db.sessions.begin() as session:
            if await session.scalar(_owned(user_id, graph_id).limit(1)) is None:
                raise _not_found(graph_id)
            for table in (NodeRow, LinkRow):
                await session.execute(delete(table).where(table.graph_id == graph_id))
            await session.execute(delete(GraphRow).where(GraphRow.id == graph_id))

    @staticmethod
    async def _version_row(
        session: AsyncSession, user_id: str, graph_id: str, version: int | None
    ) -> GraphRow | None:
        query = _owned(user_id, graph_id)
        if version is not None:
            query = query.where(GraphRow.version == version)
        else:  # the active version; should none be active, the newest
            query = query.order_by(GraphRow.is_active.desc(), GraphRow.version.desc())
        return await session.scalar(query.limit(1))

    @staticmethod
    async def _store_sub_graphs(
        session: AsyncSession, user_id: str, graph: Graph, now: float
    ) -> None:
        """Store each sub-graph version the user does not have yet (another user's id is a
        conflict). A new id becomes active; a new version of a known id does not."""
        done: set[GraphKey] = set()
        for sub in graph.sub_graphs:
            key = (sub.id, sub.version)
            if sub.id == graph.id or key in done:
                continue
            done.add(key)
            rows = (
                await session.execute(
                    select(GraphRow.user_id, GraphRow.version).where(GraphRow.id == sub.id)
                )
            ).all()
            if any(owner != user_id for owner, _ in rows):
                raise ConflictError(
                    f"Sub-agent id {sub.id} belongs to someone else", graph_id=sub.id
                )
            if any(version == sub.version for _, version in rows):
                continue
            await insert_graph(
                session, user_id, sub, version=sub.version, is_active=not rows, now=now
            )

    @staticmethod
    async def _sub_graphs(
        session: AsyncSession, user_id: str, graph: Graph
    ) -> builtins.list[BaseGraph]:
        """Every graph the Agent Executor nodes of ``graph`` refer to, transitively; a
        reference to a graph the user does not have is left out (validation reports it)."""
        seen: set[GraphKey] = {(graph.id, graph.version)}
        found: builtins.list[BaseGraph] = []
        pending = sub_graph_refs(graph)
        while pending:
            graph_id, version = pending.pop(0)
            row = await GraphRepo._version_row(session, user_id, graph_id, version)
            if row is None or (row.id, row.version) in seen:
                continue
            seen.add((row.id, row.version))
            (sub,) = await load_graphs(session, [row])
            found.append(
                BaseGraph.model_validate(sub.model_dump(exclude={"sub_graphs", "user_id"}))
            )
            pending.extend(sub_graph_refs(sub))
        return found


class SqlGraphSource:
    """:class:`~blockyard.engine.ports.GraphSource` over :class:`GraphRepo`.

    Saved versions never change, so graphs are kept in a small LRU by ``(user, id,
    version)`` and the same object is returned each time (the engine caches its compiled
    plan per graph object). Each call still asks the database which version is meant and
    whether it still exists, so a deleted agent is not run from the cache.
    """

    def __init__(self, graphs: GraphRepo | Database, *, cache_size: int = 256) -> None:
        self._repo = graphs if isinstance(graphs, GraphRepo) else GraphRepo(graphs)
        self._cache: OrderedDict[tuple[str, str, int], Graph] = OrderedDict()
        self._cache_size = cache_size

    async def get_graph(self, graph_id: str, version: int | None, user_id: str) -> Graph:
        resolved = await self._repo.resolve_version(user_id, graph_id, version)
        key = (user_id, graph_id, resolved)
        graph = self._cache.get(key)
        if graph is not None:
            self._cache.move_to_end(key)
            return graph
        graph = await self._repo.get(user_id, graph_id, resolved)
        self._cache[key] = graph
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return graph

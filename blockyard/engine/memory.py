"""In-memory twins of the engine's ports, for tests, benchmarks and ``blockyard run``.

They keep the contracts of the real adapters (the same contract tests run against both):
the store snapshots records on commit, so later changes by the engine are not seen until
the next commit, exactly as with a database.
"""

import asyncio
import copy
import dataclasses
from collections.abc import AsyncIterator
from typing import Any

from blockyard.engine.ports import (
    Batch,
    GraphExecRecord,
    Message,
    NodeExecRecord,
)
from blockyard.engine.states import TERMINAL, ExecutionStatus
from blockyard.errors import InsufficientBalanceError, NotFoundError
from blockyard.graph.model import BaseGraph, Graph


class MemoryRunStore:
    def __init__(self) -> None:
        self.graph_execs: dict[str, GraphExecRecord] = {}
        self.node_execs: dict[str, dict[str, NodeExecRecord]] = {}
        self.charges: list[Any] = []
        self.commits = 0
        self.fail_next_commits = 0
        """Tests set this to make the next N commits raise (a flaky database)."""

    async def create_graph_exec(self, record: GraphExecRecord) -> None:
        self.graph_execs[record.id] = copy.deepcopy(record)
        self.node_execs.setdefault(record.id, {})

    async def admit_graph_exec(self, record: GraphExecRecord, max_active: int) -> int:
        active = sum(
            1
            for r in self.graph_execs.values()
            if r.user_id == record.user_id and r.parent_exec_id is None and r.status not in TERMINAL
        )
        if active < max_active:  # create_graph_exec never suspends: count and insert are atomic
            await self.create_graph_exec(record)
        return active

    async def get_graph_exec(self, graph_exec_id: str) -> GraphExecRecord | None:
        found = self.graph_execs.get(graph_exec_id)
        return copy.deepcopy(found) if found is not None else None

    async def find_graph_exec_by_key(self, idempotency_key: str) -> GraphExecRecord | None:
        for record in self.graph_execs.values():
            if record.idempotency_key == idempotency_key:
                return copy.deepcopy(record)
        return None

    async def list_node_execs(self, graph_exec_id: str) -> list[NodeExecRecord]:
        records = self.node_execs.get(graph_exec_id, {}).values()
        return [copy.deepcopy(r) for r in sorted(records, key=lambda r: r.seq)]

    async def commit(self, batch: Batch) -> None:
        if self.fail_next_commits:
            self.fail_next_commits -= 1
            raise ConnectionError("simulated database failure")
        graph_rows = [_snapshot_graph(r) for r in batch.graph_execs.values()]
        node_rows = [_snapshot_node(r) for r in batch.node_execs.values()]
        charges = list(batch.charges)
        await asyncio.sleep(0)
        for g in graph_rows:
            self.graph_execs[g.id] = g
        for n in node_rows:
            self.node_execs.setdefault(n.graph_exec_id, {})[n.id] = n
        self.charges.extend(charges)
        self.commits += 1

    async def unfinished_graph_execs(self) -> list[str]:
        return [
            r.id
            for r in self.graph_execs.values()
            if r.status in (ExecutionStatus.QUEUED, ExecutionStatus.RUNNING)
            and r.parent_exec_id is None
        ]


def _snapshot_node(record: NodeExecRecord) -> NodeExecRecord:
    """A copy the engine's later changes cannot reach (values themselves are immutable here)."""
    return dataclasses.replace(
        record,
        input_data=dict(record.input_data),
        output_data={pin: list(values) for pin, values in record.output_data.items()},
        stats=dict(record.stats),
    )


def _snapshot_graph(record: GraphExecRecord) -> GraphExecRecord:
    return dataclasses.replace(record, stats=dict(record.stats))


class MemoryGraphSource:
    """Graphs by (id, version); ``add`` also registers a graph's ``sub_graphs``."""

    def __init__(self, *graphs: BaseGraph) -> None:
        self._graphs: dict[tuple[str, int], BaseGraph] = {}
        for graph in graphs:
            self.add(graph)

    def add(self, graph: BaseGraph) -> None:
        self._graphs[(graph.id, graph.version)] = graph
        if isinstance(graph, Graph):
            for sub in graph.sub_graphs:
                self._graphs.setdefault((sub.id, sub.version), sub)

    async def get_graph(self, graph_id: str, version: int | None, user_id: str) -> Graph:
        if version is None:
            versions = [v for (gid, v) in self._graphs if gid == graph_id]
            version = max(versions) if versions else -1
        graph = self._graphs.get((graph_id, version))
        if graph is None:
            raise NotFoundError(f"Agent {graph_id} version {version} not found")
        return graph if isinstance(graph, Graph) else Graph(**graph.model_dump())


class _MemorySubscription:
    def __init__(self, bus: "MemoryBus", channel: str) -> None:
        self._bus, self.channel = bus, channel
        self.queue: asyncio.Queue[Message] = asyncio.Queue()

    def __aiter__(self) -> AsyncIterator[Message]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[Message]:
        while True:
            yield await self.queue.get()

    async def close(self) -> None:
        self._bus.subscribers.discard(self)


class MemoryBus:
    """Keeps every published message (``sent``) and feeds live subscribers."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, Message]] = []
        self.subscribers: set[_MemorySubscription] = set()

    async def publish(self, channel: str, messages: list[Message]) -> None:
        for message in messages:
            self.sent.append((channel, message))
            for sub in self.subscribers:
                if sub.channel == channel:
                    sub.queue.put_nowait(message)

    async def subscribe(self, channel: str) -> _MemorySubscription:
        sub = _MemorySubscription(self, channel)
        self.subscribers.add(sub)
        return sub

    async def close(self) -> None:
        self.subscribers.clear()

    def methods(self, method: str) -> list[dict[str, Any]]:
        return [m["data"] for _, m in self.sent if m.get("method") == method]


class MemoryBilling:
    """Balances in memory; a flat cost per block id (``costs``) or zero."""

    def __init__(self, balances: dict[str, int], costs: dict[str, int] | None = None) -> None:
        self.balances = dict(balances)
        self.costs = costs or {}
        self.reserved: dict[str, int] = {}

    def cost_of(self, block_id: str, inputs: dict[str, Any]) -> int:
        return self.costs.get(block_id, 0)

    async def reserve(self, user_id: str, amount: int) -> None:
        available = self.balances.get(user_id, 0) - self.reserved.get(user_id, 0)
        if available < amount:
            raise InsufficientBalanceError(
                f"Insufficient balance: {available} credits left, {amount} needed"
            )
        self.reserved[user_id] = self.reserved.get(user_id, 0) + amount

    async def release(self, user_id: str, amount: int) -> None:
        self.reserved[user_id] = max(0, self.reserved.get(user_id, 0) - amount)

    def settle(self, charges: list[Any]) -> None:
        """Turn committed charges into spent balance (what the ledger does in SQL)."""
        for charge in charges:
            self.balances[charge.user_id] -= charge.amount
            self.reserved[charge.user_id] -= charge.amount


class StaticCredentials:
    """Credentials by id, for tests: ``resolve`` refuses another user's."""

    def __init__(self, by_id: dict[str, tuple[str, Any]]) -> None:
        self._by_id = by_id

    async def resolve(self, user_id: str, reference: dict[str, Any]) -> Any:
        owner, secret = self._by_id.get(str(reference.get("id")), ("", None))
        if owner != user_id:
            raise NotFoundError("Credentials not found")
        return secret

"""The engine's outside world, as small Protocols with plain records.

Every dependency of the engine is one of these ports; :mod:`blockyard.engine.memory`
holds an in-memory twin of each, and the real adapters (``store``, ``runtime``,
``integrations``, ``billing``) pass the same contract tests.

Records are plain mutable dataclasses owned by the engine. A :class:`RunStore` must read
every record of a :class:`Batch` before its first ``await`` (the engine keeps mutating
running records while a commit is in flight).
"""

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from blockyard.engine.states import ExecutionStatus
from blockyard.graph.model import Graph


@dataclass(slots=True)
class NodeExecRecord:
    """One run of one node on one complete input set (or an input set being collected)."""

    id: str
    graph_exec_id: str
    node_id: str
    block_id: str
    status: ExecutionStatus
    input_data: dict[str, Any] = field(default_factory=dict)
    output_data: dict[str, list[Any]] = field(default_factory=dict)
    seq: int = 0
    """Creation order within the graph execution: resume replays in this order."""
    end_seq: int = 0
    """Completion order within the graph execution (0 while unfinished)."""
    event_seq: int = 0
    """The run's event ``seq`` of the last published change of this node execution (0 when
    unknown): a client catching up after ``last_seq`` needs only the rows above it."""
    attempt: int = 0
    error: str | None = None
    added_at: float = 0.0
    queued_at: float | None = None
    started_at: float | None = None
    ended_at: float | None = None
    stats: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class GraphExecRecord:
    id: str
    graph_id: str
    graph_version: int
    user_id: str
    status: ExecutionStatus
    inputs: dict[str, Any] = field(default_factory=dict)
    """Graph inputs by input name (Agent Input blocks' ``name``)."""
    node_input_masks: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Per-node input overrides for this run (node id -> pin -> value)."""
    parent_exec_id: str | None = None
    idempotency_key: str | None = None
    rerun_of: dict[str, Any] | None = None
    """``{graph_exec_id, node_id, inputs}`` when this run re-runs another from a node."""
    created_at: float = 0.0
    started_at: float | None = None
    ended_at: float | None = None
    error: str | None = None
    stats: dict[str, Any] = field(default_factory=dict)
    event_seq: int = 0
    """The sequence number of the last event published for this execution."""


@dataclass(slots=True)
class Charge:
    """A credit usage committed with a node's completion."""

    user_id: str
    amount: int
    graph_exec_id: str
    node_exec_id: str
    block_id: str


@dataclass(slots=True)
class Batch:
    """State changes committed together (group commit)."""

    graph_execs: dict[str, GraphExecRecord] = field(default_factory=dict)
    node_execs: dict[str, NodeExecRecord] = field(default_factory=dict)
    charges: list[Charge] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.graph_execs or self.node_execs or self.charges)


class RunStore(Protocol):
    """Durable storage of executions."""

    async def create_graph_exec(self, record: GraphExecRecord) -> None: ...

    async def admit_graph_exec(self, record: GraphExecRecord, max_active: int) -> int:
        """Insert ``record`` (a top-level run) unless its user already has ``max_active``
        top-level runs queued, running or waiting; return how many they had before it.

        Counting and inserting are one atomic step across every process that shares the
        store, so concurrent submits cannot both take the last place.
        """
        ...

    async def get_graph_exec(self, graph_exec_id: str) -> GraphExecRecord | None: ...

    async def find_graph_exec_by_key(self, idempotency_key: str) -> GraphExecRecord | None: ...

    async def list_node_execs(self, graph_exec_id: str) -> list[NodeExecRecord]:
        """Every node execution of the run, ordered by ``seq``."""
        ...

    async def commit(self, batch: Batch) -> None:
        """Write every record (upsert by id) and charge in one transaction."""
        ...

    async def unfinished_graph_execs(self) -> list[str]:
        """Ids of top-level runs that are QUEUED or RUNNING (to resume after a crash)."""
        ...


class GraphSource(Protocol):
    """Where the engine reads agent definitions (a user's saved graphs)."""

    async def get_graph(self, graph_id: str, version: int | None, user_id: str) -> Graph:
        """The graph at ``version`` (the active one when None); ``NotFoundError`` if absent."""
        ...


@dataclass(slots=True)
class Job:
    graph_exec_id: str
    user_id: str


class Delivery(Protocol):
    job: Job

    async def ack(self) -> None: ...

    async def keepalive(self) -> None:
        """Tell the queue the job is still being worked on (so it is not reclaimed)."""
        ...


class WorkQueue(Protocol):
    """Graph executions waiting for a worker; a dead worker's jobs are claimed by others."""

    async def put(self, job: Job) -> None: ...

    async def get(self) -> Delivery:
        """Wait for the next job (or a reclaimed one)."""
        ...

    async def close(self) -> None: ...


Message = dict[str, Any]


class Subscription(Protocol):
    def __aiter__(self) -> AsyncIterator[Message]: ...

    async def close(self) -> None: ...


class EventBus(Protocol):
    """Live events: execution progress to every API process, control messages to workers."""

    async def publish(self, channel: str, messages: list[Message]) -> None:
        """Publish messages on ``channel`` in order."""
        ...

    async def subscribe(self, channel: str) -> Subscription: ...

    async def close(self) -> None: ...


def user_channel(user_id: str) -> str:
    """Every execution event and notification of one user travels on this channel."""
    return f"events:{user_id}"


CONTROL_CHANNEL = "control"
"""Messages to workers, e.g. ``{"op": "stop", "graph_exec_id": ...}``."""


class CredentialResolver(Protocol):
    async def resolve(self, user_id: str, reference: dict[str, Any]) -> Any:
        """The decrypted credential a node's ``credentials`` input refers to."""
        ...


class Billing(Protocol):
    """Reserve a node's cost before it runs; the charge is committed with its completion."""

    def cost_of(self, block_id: str, inputs: dict[str, Any]) -> int: ...

    async def reserve(self, user_id: str, amount: int) -> None:
        """Hold ``amount`` credits; ``InsufficientBalanceError`` when the balance is short."""
        ...

    async def release(self, user_id: str, amount: int) -> None:
        """Give back a reservation that will not be charged (platform failure, stop)."""
        ...


Clock = Callable[[], float]

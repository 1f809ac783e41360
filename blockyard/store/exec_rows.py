"""Engine records as row tuples and back, in one fixed column order per table.

:func:`batch_rows` is called before the first ``await`` of a commit: it copies every
value the engine might still change (JSON columns are encoded to text right away), so the
write that follows sees the batch exactly as it was when handed over.

An upsert by id writes the whole record when the row is new and only the record's state
(:data:`GRAPH_EXEC_STATE`, :data:`NODE_EXEC_STATE`) when it exists: the engine never
changes which run, node or block a record belongs to.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from blockyard.engine.ports import Batch, Charge, GraphExecRecord, NodeExecRecord
from blockyard.engine.states import ExecutionStatus
from blockyard.store import codec
from blockyard.store.ledger import CreditKind, Entry

Row = tuple[Any, ...]

GRAPH_EXEC_COLUMNS: tuple[str, ...] = (
    "id", "graph_id", "graph_version", "user_id", "status", "inputs", "node_input_masks",
    "parent_exec_id", "idempotency_key", "rerun_of", "created_at", "started_at", "ended_at",
    "error", "stats", "event_seq",
)  # fmt: skip
NODE_EXEC_COLUMNS: tuple[str, ...] = (
    "id", "graph_exec_id", "node_id", "block_id", "status", "input_data", "output_data",
    "seq", "end_seq", "attempt", "error", "added_at", "queued_at", "started_at", "ended_at",
    "stats", "event_seq",
)  # fmt: skip

GRAPH_EXEC_STATE: tuple[str, ...] = (
    "status", "started_at", "ended_at", "error", "stats", "event_seq",
)  # fmt: skip
"""What a commit updates in an existing graph execution row; the rest (which graph, whose,
inputs, parent, key, creation time) is fixed when the run is created."""
NODE_EXEC_STATE: tuple[str, ...] = (
    "status", "input_data", "output_data", "end_seq", "attempt", "error", "queued_at",
    "started_at", "ended_at", "stats", "event_seq",
)  # fmt: skip
"""What a commit updates in an existing node execution row; its run, node, block, ``seq``
and ``added_at`` are fixed when it is first written. Leaving those (and the indexes on
them) alone halves the cost of an update on SQLite."""

GRAPH_EXEC_JSON = frozenset({"inputs", "node_input_masks", "rerun_of", "stats"})
NODE_EXEC_JSON = frozenset({"input_data", "output_data", "stats"})


@dataclass(frozen=True, slots=True)
class BatchRows:
    graph_execs: list[Row]
    node_execs: list[Row]
    charges: list[Entry]
    """The run's charges as ledger entries (posted by :func:`~blockyard.store.ledger.post`)."""


def graph_exec_row(r: GraphExecRecord) -> Row:
    rerun_of = codec.dumps(r.rerun_of) if r.rerun_of is not None else None
    return (
        r.id, r.graph_id, r.graph_version, r.user_id, str(r.status), codec.dumps(r.inputs),
        codec.dumps(r.node_input_masks), r.parent_exec_id, r.idempotency_key, rerun_of,
        r.created_at, r.started_at, r.ended_at, r.error, codec.dumps(r.stats), r.event_seq,
    )  # fmt: skip


def node_exec_row(r: NodeExecRecord) -> Row:
    return (
        r.id, r.graph_exec_id, r.node_id, r.block_id, str(r.status), codec.dumps(r.input_data),
        codec.dumps(r.output_data), r.seq, r.end_seq, r.attempt, r.error, r.added_at,
        r.queued_at, r.started_at, r.ended_at, codec.dumps(r.stats), r.event_seq,
    )  # fmt: skip


def usage_entry(c: Charge) -> Entry:
    """A node's charge as the ledger's (negative) usage."""
    return Entry(
        c.user_id, -c.amount, CreditKind.USAGE, c.graph_exec_id, c.node_exec_id, c.block_id
    )


def batch_rows(batch: Batch) -> BatchRows:
    """Snapshot a batch as row tuples (synchronously: call it before any ``await``)."""
    return BatchRows(
        graph_execs=[graph_exec_row(r) for r in batch.graph_execs.values()],
        node_execs=[node_exec_row(r) for r in batch.node_execs.values()],
        charges=[usage_entry(c) for c in batch.charges],
    )


def graph_exec_record(row: Sequence[Any]) -> GraphExecRecord:
    """A record from a row in :data:`GRAPH_EXEC_COLUMNS` order, JSON already decoded."""
    return GraphExecRecord(
        id=row[0],
        graph_id=row[1],
        graph_version=row[2],
        user_id=row[3],
        status=ExecutionStatus(row[4]),
        inputs=row[5],
        node_input_masks=row[6],
        parent_exec_id=row[7],
        idempotency_key=row[8],
        rerun_of=row[9],
        created_at=row[10],
        started_at=row[11],
        ended_at=row[12],
        error=row[13],
        stats=row[14],
        event_seq=row[15],
    )


def node_exec_record(row: Sequence[Any]) -> NodeExecRecord:
    """A record from a row in :data:`NODE_EXEC_COLUMNS` order, JSON already decoded."""
    return NodeExecRecord(
        id=row[0],
        graph_exec_id=row[1],
        node_id=row[2],
        block_id=row[3],
        status=ExecutionStatus(row[4]),
        input_data=row[5],
        output_data=row[6],
        seq=row[7],
        end_seq=row[8],
        attempt=row[9],
        error=row[10],
        added_at=row[11],
        queued_at=row[12],
        started_at=row[13],
        ended_at=row[14],
        stats=row[15],
        event_seq=row[16],
    )


def json_positions(columns: Sequence[str], json_columns: frozenset[str]) -> tuple[int, ...]:
    return tuple(i for i, name in enumerate(columns) if name in json_columns)


def decode_json(row: Sequence[Any], positions: tuple[int, ...]) -> list[Any]:
    """A raw SQLite row with its JSON text columns decoded (NULL stays None)."""
    values = list(row)
    for i in positions:
        if values[i] is not None:
            values[i] = codec.loads(values[i])
    return values

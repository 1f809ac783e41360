"""The shapes of live execution events (AutoGPT's field names, plus ``seq`` and ``error``).

The engine publishes ``{"method": ..., "data": ...}`` on the owner's channel
(:func:`blockyard.engine.ports.user_channel`); the WebSocket server forwards it as is,
adding the subscription channel. A run's sealed secret inputs are sent as the mask.
"""

from typing import Any

from blockyard.engine.ports import GraphExecRecord, Message, NodeExecRecord
from blockyard.engine.secret_inputs import masked

GRAPH_EVENT = "graph_execution_event"
NODE_EVENT = "node_execution_event"


def parent_node_exec_id(record: GraphExecRecord) -> str | None:
    """The node execution (an Agent Executor's) that started this sub-agent run, if any.

    A child run's idempotency key is the parent node's execution id (the node's own
    idempotency key), which is what lets a resumed parent rejoin its child.
    """
    return record.idempotency_key if record.parent_exec_id else None


def graph_exec_meta(record: GraphExecRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "graph_exec_id": record.id,
        "graph_id": record.graph_id,
        "graph_version": record.graph_version,
        "user_id": record.user_id,
        "status": record.status.value,
        "inputs": masked(record.inputs),
        "parent_exec_id": record.parent_exec_id,
        "parent_node_exec_id": parent_node_exec_id(record),
        "created_at": record.created_at,
        "started_at": record.started_at,
        "ended_at": record.ended_at,
        "error": record.error,
        "stats": record.stats,
        "seq": record.event_seq,
    }


def graph_exec_event(record: GraphExecRecord, outputs: dict[str, list[Any]]) -> dict[str, Any]:
    """The ``data`` of a graph execution event."""
    return {**graph_exec_meta(record), "outputs": outputs}


def node_exec_data(record: NodeExecRecord) -> dict[str, Any]:
    return {
        "node_exec_id": record.id,
        "node_id": record.node_id,
        "block_id": record.block_id,
        "status": record.status.value,
        "input_data": record.input_data,
        "output_data": record.output_data,
        "add_time": record.added_at,
        "queue_time": record.queued_at,
        "start_time": record.started_at,
        "end_time": record.ended_at,
        "error": record.error,
        "attempt": record.attempt,
        "stats": record.stats,
        "seq": record.end_seq,
    }


def node_exec_event(record: NodeExecRecord, graph_exec: GraphExecRecord) -> dict[str, Any]:
    """The ``data`` of a node execution event."""
    return {
        **node_exec_data(record),
        "graph_exec_id": graph_exec.id,
        "graph_id": graph_exec.graph_id,
        "graph_version": graph_exec.graph_version,
        "user_id": graph_exec.user_id,
    }


def message(method: str, data: dict[str, Any]) -> Message:
    return {"method": method, "data": data}

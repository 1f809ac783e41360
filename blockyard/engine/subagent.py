"""Running a saved agent inside another (the Agent Executor block's port).

The child is a graph execution of its own, stored with ``parent_exec_id``, and runs inline
in the parent's process (no worker slot is held while waiting for another). Its id derives
from the parent node's idempotency key, so a parent resumed after a crash rejoins the same
child instead of starting a second one. Stopping the parent stops the child, and the
parent node ends only once the child has (so a run that says TERMINATED has no live child).
"""

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from blockyard.engine.outputs import graph_outputs
from blockyard.engine.secret_inputs import seal
from blockyard.engine.states import ExecutionStatus
from blockyard.errors import BlockExecutionError

if TYPE_CHECKING:
    from blockyard.engine.executor import Engine

_CHILD_NAMESPACE = uuid.UUID("7f0f3c1e-5b1a-4a8e-9a51-8d0b2b6f4c11")
CHILD_STOP_WAIT_SECONDS = 10.0
"""How long a stopped parent node waits for its sub-agent run to finish stopping."""


class SubAgentRunner:
    def __init__(self, engine: "Engine") -> None:
        self._engine = engine

    async def run_agent(
        self,
        *,
        user_id: str,
        graph_id: str,
        graph_version: int | None,
        inputs: dict[str, Any],
        parent_exec_id: str,
        idempotency_key: str,
    ) -> AsyncIterator[tuple[str, Any]]:
        from blockyard.engine.executor import new_graph_exec

        engine = self._engine
        graph = await engine.graphs.get_graph(graph_id, graph_version, user_id)
        child_id = str(uuid.uuid5(_CHILD_NAMESPACE, idempotency_key))
        if await engine.store.get_graph_exec(child_id) is None:
            record = new_graph_exec(
                graph, user_id, inputs, None, parent_exec_id, idempotency_key, exec_id=child_id
            )
            seal(record, graph, engine.registry, engine.secrets)
            await engine.store.create_graph_exec(record)
        child = asyncio.ensure_future(engine.run(child_id))
        try:
            result = await asyncio.shield(child)
        except asyncio.CancelledError:
            if not engine.closing:  # the parent node was stopped or timed out: so is the child
                engine.stop(child_id)
                # ... and has ended (stored TERMINATED) by the time the parent says it has.
                await asyncio.wait({child}, timeout=CHILD_STOP_WAIT_SECONDS)
            raise
        if result.status != ExecutionStatus.COMPLETED:
            raise BlockExecutionError(
                f"Sub-agent {graph.name or graph_id} ended {result.status}: {result.error or ''}"
            )
        node_execs = await engine.store.list_node_execs(child_id)
        for name, values in graph_outputs(graph, node_execs, engine.registry).items():
            for value in values:
                yield name, value

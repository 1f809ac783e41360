"""What the API asks of executions: submit, stop, re-run from a node.

These write the request to the store and hand it over (work queue, control channel);
whichever worker owns the run does the rest. They run in API processes that may have no
engine of their own (``serve --workers 0``).

A new run (submitted or re-run) is refused while its user has ``max_user_executions``
runs queued, running or waiting: the store counts and inserts in one locked step
(``RunStore.admit_graph_exec``), so the limit holds across API processes.
"""

import asyncio
import time
from typing import Any

from blockyard.blocks.registry import BlockRegistry
from blockyard.engine import secret_inputs
from blockyard.engine.executor import new_graph_exec
from blockyard.engine.ports import (
    CONTROL_CHANNEL,
    Batch,
    EventBus,
    GraphExecRecord,
    GraphSource,
    Job,
    RunStore,
    WorkQueue,
)
from blockyard.engine.run_inputs import check_input_values
from blockyard.engine.states import TERMINAL, ExecutionStatus
from blockyard.errors import ConflictError, LimitExceededError, NotFoundError, RateLimitError
from blockyard.graph.model import Graph

STOP_WAIT_SECONDS = 10.0
RUN_LIMIT_RETRY_SECONDS = 5.0


class ExecutionService:
    def __init__(
        self,
        store: RunStore,
        queue: WorkQueue,
        bus: EventBus,
        graphs: GraphSource,
        registry: BlockRegistry,
        *,
        max_input_bytes: int = 1_000_000,
        secrets: secret_inputs.SecretBox | None = None,
        max_user_executions: int | None = None,
    ) -> None:
        self.store = store
        self.queue = queue
        self.bus = bus
        self.graphs = graphs
        self.registry = registry
        self.max_input_bytes = max_input_bytes
        self.secrets = secrets
        """Seals the secret inputs of new runs (:mod:`blockyard.engine.secret_inputs`)."""
        self.max_user_executions = max_user_executions
        """Top-level runs a user may have queued, running or waiting (None: no limit)."""

    async def submit(
        self,
        user_id: str,
        graph_id: str,
        version: int | None,
        inputs: dict[str, Any],
        node_input_masks: dict[str, dict[str, Any]] | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> GraphExecRecord:
        """Check the agent and its inputs, store a QUEUED run (its secret inputs sealed)
        and queue it. A second submit with the same ``idempotency_key`` is a ConflictError
        (:meth:`find_by_key` gives the first one's run)."""
        graph = await self.graphs.get_graph(graph_id, version, user_id)
        self.check_runnable(graph, inputs)
        record = new_graph_exec(
            graph, user_id, inputs, node_input_masks, idempotency_key=idempotency_key
        )
        secret_inputs.seal(record, graph, self.registry, self.secrets)
        await self._admit(record)
        await self.queue.put(Job(record.id, user_id))
        return record

    async def _admit(self, record: GraphExecRecord) -> None:
        """Store the new run, or refuse it (429) when its user is at the limit."""
        limit = self.max_user_executions
        if limit is None:
            await self.store.create_graph_exec(record)
            return
        active = await self.store.admit_graph_exec(record, limit)
        if active >= limit:
            raise RateLimitError(
                f"You have {active} runs queued or running, the most this server allows at "
                "once; wait for one to finish or stop one",
                retry_after=RUN_LIMIT_RETRY_SECONDS,
                limit=limit,
            )

    def check_runnable(self, graph: Graph, inputs: dict[str, Any]) -> None:
        """Refuse inputs too large or reserved, or an agent that cannot run with them."""
        from blockyard.graph.validate import ensure_valid

        if len(repr(inputs)) > self.max_input_bytes:
            raise LimitExceededError(f"The inputs are larger than {self.max_input_bytes} bytes")
        secret_inputs.refuse_markers(inputs)
        ensure_valid(graph, self.registry, for_run=True, graph_inputs=inputs.keys())
        check_input_values(graph, self.registry, inputs)

    async def find_by_key(self, idempotency_key: str) -> GraphExecRecord | None:
        return await self.store.find_graph_exec_by_key(idempotency_key)

    async def get_owned(self, user_id: str, graph_exec_id: str) -> GraphExecRecord:
        record = await self.store.get_graph_exec(graph_exec_id)
        if record is None or record.user_id != user_id:
            raise NotFoundError(f"Execution {graph_exec_id} not found")
        return record

    async def stop(self, user_id: str, graph_exec_id: str) -> GraphExecRecord:
        """Ask the run's worker to stop it and wait (bounded) until it has."""
        record = await self.get_owned(user_id, graph_exec_id)
        if record.status in TERMINAL:
            return record
        await self.bus.publish(CONTROL_CHANNEL, [{"op": "stop", "graph_exec_id": graph_exec_id}])
        if record.status == ExecutionStatus.QUEUED:
            # No worker has it yet: end it here; a worker that races us gets the message.
            record.status = ExecutionStatus.TERMINATED
            record.ended_at = time.time()
            await self.store.commit(Batch(graph_execs={record.id: record}))
            return record
        loop = asyncio.get_running_loop()
        deadline = loop.time() + STOP_WAIT_SECONDS
        while loop.time() < deadline:
            await asyncio.sleep(0.05)
            record = await self.get_owned(user_id, graph_exec_id)
            if record.status in TERMINAL:
                return record
        return record

    async def rerun(
        self,
        user_id: str,
        graph_exec_id: str,
        node_id: str,
        inputs: dict[str, Any] | None = None,
    ) -> GraphExecRecord:
        """A new run of the same version that starts at ``node_id`` with stored upstream values."""
        source = await self.get_owned(user_id, graph_exec_id)
        graph = await self.graphs.get_graph(source.graph_id, source.graph_version, user_id)
        if graph.node(node_id) is None:
            raise NotFoundError(f"Node {node_id} is not in this agent")
        if source.status not in TERMINAL:
            raise ConflictError("Wait for the run to end (or stop it) before re-running it")
        record = new_graph_exec(graph, user_id, source.inputs, source.node_input_masks)
        secret_inputs.reseal_for_rerun(source, record, self.secrets)
        edits = secret_inputs.take_secret_edit(
            record, graph, self.registry, node_id, inputs or {}, self.secrets
        )
        record.rerun_of = {"graph_exec_id": source.id, "node_id": node_id, "inputs": edits}
        await self._admit(record)
        await self.queue.put(Job(record.id, user_id))
        return record

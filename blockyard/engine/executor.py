"""The engine: runs graph executions, shares one group committer among them.

``Engine.run(graph_exec_id)`` drives one stored execution to its end, starting it or
resuming it from the store, whichever applies; the same call is how a worker runs a job,
how a crashed run is resumed and how a sub-agent runs inside its parent. Everything outside
comes in through the ports (:mod:`blockyard.engine.ports`).
"""

import asyncio
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from blockyard.blocks.ai.port import KnowledgeStore, LanguageModels
from blockyard.blocks.context import MediaStore
from blockyard.blocks.registry import BlockRegistry
from blockyard.engine.commit import GroupCommitter
from blockyard.engine.plan import Plan
from blockyard.engine.ports import (
    Billing,
    CredentialResolver,
    EventBus,
    GraphExecRecord,
    GraphSource,
    NodeExecRecord,
    RunStore,
    user_channel,
)
from blockyard.engine.run import GraphRun
from blockyard.engine.secret_inputs import SecretBox, seal
from blockyard.engine.states import TERMINAL, ExecutionStatus
from blockyard.engine.subagent import SubAgentRunner
from blockyard.errors import BlockExecutionError, NotFoundError
from blockyard.graph.model import BaseGraph

log = logging.getLogger("blockyard.engine")


class Engine:
    def __init__(
        self,
        registry: BlockRegistry,
        store: RunStore,
        graphs: GraphSource,
        bus: EventBus,
        *,
        billing: Billing | None = None,
        credentials: CredentialResolver | None = None,
        media: MediaStore | None = None,
        llm: LanguageModels | None = None,
        knowledge: KnowledgeStore | None = None,
        secrets: SecretBox | None = None,
        node_concurrency: int = 64,
        user_concurrency: int = 256,
        max_node_execs: int = 1_000_000,
        max_output_bytes: int = 4 * 1024 * 1024,
    ) -> None:
        self.registry = registry
        self.store = store
        self.graphs = graphs
        self.bus = bus
        self.billing = billing
        self.credentials = credentials
        self.media = media
        self.llm = llm
        self.knowledge = knowledge
        self.secrets = secrets
        """Opens the runs' sealed secret inputs (and seals those of runs made here)."""
        self.node_concurrency = node_concurrency
        self.user_concurrency = user_concurrency
        self.max_node_execs = max_node_execs
        self.max_output_bytes = max_output_bytes
        """Largest output kept per node execution; bigger values are cut (engine/bounds.py)."""
        self.committer = GroupCommitter(store, bus)
        self.agents = SubAgentRunner(self)
        self._tasks: dict[str, asyncio.Task[GraphExecRecord]] = {}
        self._runs: dict[str, GraphRun] = {}
        self._user_slots: dict[str, asyncio.Semaphore] = {}
        self._plans: dict[tuple[str, int], Plan] = {}
        self.closing = False
        self._stop_requests: dict[str, float] = {}
        """Stops that arrived before their run started here (kept for a minute)."""

    # -- running ---------------------------------------------------------------------------
    async def run(self, graph_exec_id: str) -> GraphExecRecord:
        """Drive a stored execution to its end (start or resume). Joins a run already going."""
        task = self._tasks.get(graph_exec_id)
        if task is None:
            task = asyncio.get_running_loop().create_task(
                self._run(graph_exec_id), name=f"run-{graph_exec_id}"
            )
            self._tasks[graph_exec_id] = task
            task.add_done_callback(lambda _t: self._tasks.pop(graph_exec_id, None))
        return await task

    async def _run(self, graph_exec_id: str) -> GraphExecRecord:
        record = await self.store.get_graph_exec(graph_exec_id)
        if record is None:
            raise NotFoundError(f"Execution {graph_exec_id} not found")
        if record.status in TERMINAL:
            return record
        try:
            graph = await self.graphs.get_graph(
                record.graph_id, record.graph_version, record.user_id
            )
            plan = self.plan_for(graph)
        except Exception as exc:
            return await self._fail_before_start(record, exc)
        run = GraphRun(self, record, plan)
        self._runs[graph_exec_id] = run
        if self._stop_requests.pop(graph_exec_id, None) is not None:
            run.request_stop()
        try:
            return await run.run()
        finally:
            self._runs.pop(graph_exec_id, None)

    async def _fail_before_start(self, record: GraphExecRecord, exc: Exception) -> GraphExecRecord:
        if not isinstance(exc, NotFoundError | BlockExecutionError) and not hasattr(
            exc, "problems"
        ):
            log.exception("Run %s could not start", record.id)
        record.status = ExecutionStatus.FAILED
        record.error = str(exc) or type(exc).__name__
        record.ended_at = time.time()
        self.committer.stage_graph(record)
        await self.committer.flush()
        return record

    def plan_for(self, graph: BaseGraph) -> Plan:
        key = (graph.id, graph.version)
        plan = self._plans.get(key)
        if plan is None or plan.graph is not graph:
            plan = Plan.compile(graph, self.registry)
            if len(self._plans) > 256:
                self._plans.clear()
            self._plans[key] = plan
        return plan

    async def execute(
        self,
        graph: BaseGraph,
        user_id: str,
        inputs: dict[str, Any] | None = None,
        *,
        node_input_masks: dict[str, dict[str, Any]] | None = None,
        parent_exec_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> GraphExecRecord:
        """Create an execution of ``graph`` and run it here (CLI, tests, benchmarks)."""
        record = new_graph_exec(
            graph, user_id, inputs or {}, node_input_masks, parent_exec_id, idempotency_key
        )
        seal(record, graph, self.registry, self.secrets)
        await self.store.create_graph_exec(record)
        return await self.run(record.id)

    # -- stopping ----------------------------------------------------------------------------
    def is_running(self, graph_exec_id: str) -> bool:
        return graph_exec_id in self._runs

    def stop(self, graph_exec_id: str) -> bool:
        """Stop a run going in this process, and its sub-agent runs; False if not here."""
        run = self._runs.get(graph_exec_id)
        if run is None:
            now = time.monotonic()
            self._stop_requests = {k: t for k, t in self._stop_requests.items() if now - t < 60}
            self._stop_requests[graph_exec_id] = now
            return False
        for child_id, child in list(self._runs.items()):
            if child.record.parent_exec_id == graph_exec_id:
                self.stop(child_id)
        run.request_stop()
        return True

    async def close(self) -> None:
        """Abandon every run (they resume from the store later) and flush what is staged."""
        self.closing = True
        for task in list(self._tasks.values()):
            task.cancel()
        await asyncio.gather(*self._tasks.values(), return_exceptions=True)
        await self.committer.close()

    # -- services for runs ------------------------------------------------------------------
    def user_slot(self, user_id: str) -> asyncio.Semaphore:
        slot = self._user_slots.get(user_id)
        if slot is None:
            slot = self._user_slots[user_id] = asyncio.Semaphore(self.user_concurrency)
        return slot

    async def resolve_credentials(self, user_id: str, reference: dict[str, Any]) -> Any:
        if self.credentials is None:
            raise BlockExecutionError("This server has no credentials store configured")
        return await self.credentials.resolve(user_id, reference)

    def streamer(
        self, graph_exec: GraphExecRecord, node_exec: NodeExecRecord
    ) -> Callable[[str, Any], Awaitable[None]]:
        """Partial output for live viewers only (tokens, progress); never stored."""
        channel = user_channel(graph_exec.user_id)

        async def stream(pin: str, value: Any) -> None:
            data = {
                "graph_exec_id": graph_exec.id,
                "graph_id": graph_exec.graph_id,
                "node_exec_id": node_exec.id,
                "node_id": node_exec.node_id,
                "pin": pin,
                "value": value,
            }
            await self.bus.publish(channel, [{"method": "node_execution_stream", "data": data}])

        return stream


def new_graph_exec(
    graph: BaseGraph,
    user_id: str,
    inputs: dict[str, Any],
    node_input_masks: dict[str, dict[str, Any]] | None = None,
    parent_exec_id: str | None = None,
    idempotency_key: str | None = None,
    exec_id: str | None = None,
) -> GraphExecRecord:
    return GraphExecRecord(
        id=exec_id or str(uuid.uuid4()),
        graph_id=graph.id,
        graph_version=graph.version,
        user_id=user_id,
        status=ExecutionStatus.QUEUED,
        inputs=inputs,
        node_input_masks=node_input_masks or {},
        parent_exec_id=parent_exec_id,
        idempotency_key=idempotency_key,
        created_at=time.time(),
    )

"""One graph execution, driven from its first node to its final status.

:class:`GraphRun` keeps the run's state in memory (input sets waiting per node, running
tasks, graph outputs) and makes every change durable through the engine's group committer
before anything depends on it: a node's successors are released only after its completion
is committed. The main loop is :meth:`GraphRun.run`; each outcome has its own method
(``handle_output``, ``handle_error``, ``handle_cancel``, ``resume``).
"""

import asyncio
import logging
import time
import uuid
from typing import TYPE_CHECKING, Any

from blockyard.blocks.base import BlockType
from blockyard.blocks.context import BlockContext
from blockyard.blocks.pins import select
from blockyard.engine import events, redact, secret_inputs
from blockyard.engine.bounds import bounded
from blockyard.engine.node import NodeOutcome, prepare_inputs, run_node
from blockyard.engine.plan import NodePlan, Plan
from blockyard.engine.ports import Charge, GraphExecRecord, NodeExecRecord, user_channel
from blockyard.engine.ready import InputBook
from blockyard.engine.states import (
    GRAPH_TRANSITIONS,
    NODE_TRANSITIONS,
    ExecutionStatus,
    transition,
)
from blockyard.engine.tools import TOOL_CALL_OF, node_tools
from blockyard.errors import BlockyardError, InsufficientBalanceError

if TYPE_CHECKING:
    from blockyard.engine.executor import Engine

S = ExecutionStatus
log = logging.getLogger("blockyard.engine")
_RUNNABLE = (S.QUEUED, S.RUNNING, S.WAITING)


class GraphRun:
    def __init__(self, engine: "Engine", record: GraphExecRecord, plan: Plan) -> None:
        self.engine = engine
        self.record = record
        self.plan = plan
        self.outputs: dict[str, list[Any]] = {}
        self.book = InputBook(
            {nid: p.linked_pins for nid, p in plan.nodes.items() if p.linked_pins},
            self.new_record,
        )
        self._channel = user_channel(record.user_id)
        self._seq = 0
        self._end_seq = 0
        self._inflight = 0
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._queued: dict[str, NodeExecRecord] = {}
        self._unhandled: list[NodeExecRecord] = []
        self._done = asyncio.Event()
        self._cancelled = asyncio.Event()
        self._final: ExecutionStatus | None = None
        self._final_error: str | None = None
        self._sem = asyncio.Semaphore(engine.node_concurrency)
        self._user_sem = engine.user_slot(record.user_id)
        self._masks = record.node_input_masks
        self._hidden: dict[str, dict[str, Any]] = {}
        """Secret input values of queued nodes, kept out of their stored inputs."""

    # -- the main loop ---------------------------------------------------------------------
    async def run(self) -> GraphExecRecord:
        try:
            existing = await self.engine.store.list_node_execs(self.record.id)
            if existing:
                for record in existing:
                    if record.status == S.COMPLETED:
                        record.output_data = await self.unmasked_outputs(record)
                self.resume(existing)
            else:
                await self.start()
            self._set_status(S.RUNNING, durable=True)
            if self._inflight == 0:
                self._done.set()
            await self._done.wait()
            await self._wait_tasks()
            self._finish()
            await self.engine.committer.flush()
        except asyncio.CancelledError:
            self._abandon()
            raise
        return self.record

    async def start(self) -> None:
        """Queue the starting nodes: those without inbound links, and the input nodes."""
        if self.record.rerun_of:
            from blockyard.engine.rerun import seed_rerun

            await seed_rerun(self)
            return
        first = []
        for node_id in self.plan.starting:
            plan = self.plan.nodes[node_id]
            received = self._graph_input_for(plan)
            if received is None:
                continue
            record = self.new_record(node_id)
            first.append(self.make_queued(record, plan, received))
        self.queue_after_commit(first)

    def _graph_input_for(self, plan: NodePlan) -> dict[str, Any] | None:
        """What an input node receives from the run's inputs (None: the node is skipped)."""
        if plan.block_type != BlockType.INPUT:
            return {}
        name = plan.node.input_default.get("name")
        if isinstance(name, str) and name in self.record.inputs:
            try:
                return {"value": secret_inputs.opened(self.record, name, self.engine.secrets)}
            except BlockyardError as exc:
                self.fail_run(f"The secret input {name!r} cannot be opened: {exc}")
                return None
        if plan.node.input_default.get("value") is not None:
            return {}
        return None

    def resume(self, existing: list[NodeExecRecord]) -> None:
        """Rebuild the run from the store: finished nodes stay done, unfinished run again."""
        for record in sorted(existing, key=lambda r: (r.end_seq or 1 << 62, r.seq)):
            self._seq = max(self._seq, record.seq)
            self._end_seq = max(self._end_seq, record.end_seq)
            if record.status in (S.COMPLETED, S.FAILED):
                self._replay_finished(record)
            elif record.status == S.INCOMPLETE:
                self.book.restore_pending(record)
            elif record.status in _RUNNABLE and record.stats.get(TOOL_CALL_OF):
                self._end_orphan_tool_call(record)
            elif record.status in _RUNNABLE:
                if record.status != S.QUEUED:
                    record.status = transition(NODE_TRANSITIONS, record.status, S.QUEUED)
                self._inflight += 1
                self._spawn(record)
        self.book.touched.clear()

    def _replay_finished(self, record: NodeExecRecord) -> None:
        plan = self.plan.nodes.get(record.node_id)
        if plan is None:
            return
        self.collect_graph_output(plan, record)
        if record.status == S.FAILED and not plan.error_handled:
            self._unhandled.append(record)
        for pin, values in record.output_data.items():
            for route in plan.routes.get(pin, ()):
                if route.is_static:
                    for value in values:
                        ok, selected = select(pin, value, route.selector)
                        if ok:
                            self.book.remember_static(route.sink_id, route.sink_name, selected)

    # -- running nodes ---------------------------------------------------------------------
    def _spawn(self, record: NodeExecRecord) -> None:
        if self._final is not None:
            record.status = transition(NODE_TRANSITIONS, record.status, S.TERMINATED)
            record.ended_at = time.time()
            self.engine.committer.stage_node(record)
            self._inflight -= 1
            return
        task = asyncio.get_running_loop().create_task(self._execute(record))
        self._tasks[record.id] = task
        self._queued[record.id] = record

    async def _execute(self, record: NodeExecRecord) -> None:
        plan = self.plan.nodes[record.node_id]
        cost = 0
        try:
            async with self._sem, self._user_sem:
                cost = await self._reserve(plan, record)
                self._mark_running(record)
                ctx = await self._context(record, plan)
                outcome = await run_node(
                    plan.block, self.inputs_for(record, plan), ctx, plan.policy
                )
                if self._final is not None:
                    # The run ended while the block ran and the block returned anyway (it
                    # watched ``ctx.cancelled``, or ``asyncio.wait_for`` swallowed the
                    # cancel): it was cut off, so it ends like any cancelled node.
                    raise asyncio.CancelledError
        except asyncio.CancelledError:
            self.handle_cancel(record, cost)
            raise
        except InsufficientBalanceError as exc:
            self.fail_run(str(exc))
            outcome = _failed(str(exc))
        except BlockyardError as exc:  # the block did not run (bad inputs, credentials...)
            outcome, cost = _failed(str(exc)), self._release(cost)
        except Exception as exc:  # a platform failure must not hang the run
            log.exception("Node %s of run %s failed in the engine", record.node_id, self.record.id)
            message = f"Platform error: {type(exc).__name__}: {exc}"
            outcome, cost = _failed(message), self._release(cost)
        finally:
            self._tasks.pop(record.id, None)
            self._queued.pop(record.id, None)
        if outcome.error is None:
            self.handle_output(record, plan, outcome, cost)
        else:
            self.handle_error(record, plan, outcome, cost)

    async def _reserve(self, plan: NodePlan, record: NodeExecRecord) -> int:
        billing = self.engine.billing
        if billing is None:
            return 0
        cost = billing.cost_of(plan.block.id, record.input_data)
        if cost:
            await billing.reserve(self.record.user_id, cost)
        return cost

    def _mark_running(self, record: NodeExecRecord) -> None:
        record.status = transition(NODE_TRANSITIONS, record.status, S.RUNNING)
        record.started_at = time.time()
        record.attempt += 1
        self.engine.committer.stage_node(record, durable=False)
        self._publish_node(record)

    async def _context(self, record: NodeExecRecord, plan: NodePlan) -> BlockContext:
        credentials: dict[str, Any] = {}
        for field in plan.credential_fields:
            ref = record.input_data.get(field)
            if isinstance(ref, dict) and ref.get("id"):
                credentials[field] = await self.engine.resolve_credentials(self.record.user_id, ref)
        return BlockContext(
            user_id=self.record.user_id,
            graph_exec_id=self.record.id,
            node_exec_id=record.id,
            node_id=record.node_id,
            graph_id=self.record.graph_id,
            graph_version=self.record.graph_version,
            idempotency_key=record.id,
            credentials=credentials,
            logger=log,
            cancelled=self._cancelled,
            stream=self.engine.streamer(self.record, record),
            agents=self.engine.agents,
            media=self.engine.media,
            llm=self.engine.llm,
            knowledge=self.engine.knowledge,
            tools=node_tools(self, plan, record.id),
        )

    # -- tool calls --------------------------------------------------------------------------
    async def run_tool(self, node_id: str, arguments: dict[str, Any], caller: str) -> NodeOutcome:
        """Run a tool node for the node execution ``caller`` (a decision maker calling it).

        It is stored and published like any node execution, but its outputs return to the
        caller instead of travelling down its links. It runs within the caller's slot.
        """
        plan = self.plan.nodes[node_id]
        record = self.new_record(node_id)
        record.stats[TOOL_CALL_OF] = caller
        self.make_queued(record, plan, arguments)
        cost = 0
        try:
            cost = await self._reserve(plan, record)
            self._mark_running(record)
            ctx = await self._context(record, plan)
            outcome = await run_node(plan.block, self.inputs_for(record, plan), ctx, plan.policy)
        except asyncio.CancelledError:
            self._end_orphan_tool_call(record, cost)
            self._publish_node(record)
            raise
        except BlockyardError as exc:
            outcome = _failed(str(exc))
        status = S.COMPLETED if outcome.error is None else S.FAILED
        self._finish_node(record, status, outcome, cost)
        return outcome

    def _end_orphan_tool_call(self, record: NodeExecRecord, cost: int = 0) -> None:
        """A tool call whose caller is gone (stopped, or a crash): its caller calls again."""
        self._release(cost)
        record.status = transition(NODE_TRANSITIONS, record.status, S.TERMINATED)
        record.ended_at = time.time()
        self.engine.committer.stage_node(record)
        self._publish_node(record)

    # -- outcomes ----------------------------------------------------------------------------
    def handle_output(
        self, record: NodeExecRecord, plan: NodePlan, outcome: NodeOutcome, cost: int
    ) -> None:
        self._finish_node(record, S.COMPLETED, outcome, cost)
        self.collect_graph_output(plan, record)
        self._release_after_commit(record, self._route(plan, outcome.outputs))

    def handle_error(
        self, record: NodeExecRecord, plan: NodePlan, outcome: NodeOutcome, cost: int
    ) -> None:
        self._finish_node(record, S.FAILED, outcome, cost)
        if not plan.error_handled:
            self._unhandled.append(record)
        self._release_after_commit(record, self._route(plan, outcome.outputs))

    def _release(self, cost: int) -> int:
        """Give back a reservation that will not be charged; the cost left to charge (0)."""
        if cost and self.engine.billing is not None:
            asyncio.get_running_loop().create_task(
                self.engine.billing.release(self.record.user_id, cost)
            )
        return 0

    def handle_cancel(self, record: NodeExecRecord, cost: int) -> None:
        """A stopped run's node ends TERMINATED; an abandoned one (shutdown) is left as is."""
        self._release(cost)
        if self._final is None:
            return
        record.status = transition(NODE_TRANSITIONS, record.status, S.TERMINATED)
        record.ended_at = time.time()
        self.engine.committer.stage_node(record)
        self._publish_node(record)
        self._inflight -= 1

    def _finish_node(
        self, record: NodeExecRecord, status: ExecutionStatus, outcome: NodeOutcome, cost: int
    ) -> None:
        record.status = transition(NODE_TRANSITIONS, record.status, status)
        outcome.outputs = bounded(outcome.outputs, self.engine.max_output_bytes)
        record.output_data = redact.mask_outputs(
            outcome.outputs, self.plan.nodes[record.node_id].block, record.input_data
        )
        record.error = outcome.error
        record.ended_at = time.time()
        record.stats = {
            **record.stats,  # what was known before it ran (e.g. which node called it)
            **outcome.stats,
            "walltime": outcome.walltime,
            "attempts": outcome.attempts,
        }
        if cost:
            record.stats["cost"] = cost
            self.engine.committer.stage_charge(
                Charge(self.record.user_id, cost, self.record.id, record.id, record.block_id)
            )
        record.end_seq = self.next_end_seq()
        self.engine.committer.stage_node(record)
        self._publish_node(record)

    def _route(self, plan: NodePlan, outputs: dict[str, list[Any]]) -> list[NodeExecRecord]:
        """Send every output value down each link from its pin; return the sets it completed."""
        ready: list[NodeExecRecord] = []
        book = self.book
        for pin, values in outputs.items():
            routes = plan.routes.get(pin)
            if not routes:
                continue
            for value in values:
                for route in routes:
                    if route.selector == pin:
                        ok, selected = True, value
                    else:
                        ok, selected = select(pin, value, route.selector)
                    if ok:
                        ready += book.deliver(
                            route.sink_id, route.sink_name, selected, route.is_static
                        )
        self.stage_touched()
        return [self.make_queued(r, self.plan.nodes[r.node_id], {}) for r in ready]

    def stage_touched(self) -> None:
        """Make the input sets that routing changed durable with the node that fed them."""
        for touched in self.book.touched:
            if touched.status == S.INCOMPLETE:
                self.engine.committer.stage_node(touched)
        self.book.touched.clear()

    def _release_after_commit(self, done: NodeExecRecord, ready: list[NodeExecRecord]) -> None:
        self._inflight += len(ready)

        def release() -> None:
            for record in ready:
                self._spawn(record)
            self._node_settled()

        self.engine.committer.after_commit(release)

    def queue_after_commit(self, ready: list[NodeExecRecord]) -> None:
        self._inflight += len(ready)

        def release() -> None:
            for record in ready:
                self._spawn(record)

        self.engine.committer.after_commit(release)

    def _node_settled(self) -> None:
        self._inflight -= 1
        if self._inflight <= 0:
            self._done.set()

    # -- records -----------------------------------------------------------------------------
    def next_end_seq(self) -> int:
        self._end_seq += 1
        return self._end_seq

    def new_record(self, node_id: str) -> NodeExecRecord:
        self._seq += 1
        if self._seq > self.engine.max_node_execs:
            self.fail_run(
                f"The run exceeded {self.engine.max_node_execs} node executions; "
                "is there a loop that never ends?"
            )
        plan = self.plan.nodes[node_id]
        return NodeExecRecord(
            id=str(uuid.uuid4()),
            graph_exec_id=self.record.id,
            node_id=node_id,
            block_id=plan.block.id,
            status=S.INCOMPLETE,
            seq=self._seq,
            added_at=time.time(),
        )

    def make_queued(
        self, record: NodeExecRecord, plan: NodePlan, received: dict[str, Any]
    ) -> NodeExecRecord:
        collected = {**record.input_data, **received}
        record.input_data = prepare_inputs(
            plan.node.input_default,
            collected,
            self._masks.get(plan.id),
            agent_inputs=plan.block_type == BlockType.AGENT,
            fields=plan.block.Input.model_fields.keys(),
        )
        record.input_data, hidden = redact.hide(record.input_data, plan.block)
        if hidden:
            self._hidden[record.id] = hidden
        record.status = transition(NODE_TRANSITIONS, record.status, S.QUEUED)
        record.queued_at = time.time()
        self.engine.committer.stage_node(record)
        return record

    def inputs_for(self, record: NodeExecRecord, plan: NodePlan) -> dict[str, Any]:
        """What the block runs with: the stored inputs with their secrets put back."""
        hidden = self._hidden.pop(record.id, None)
        defaults = plan.node.input_default
        if hidden is None and plan.block_type == BlockType.INPUT:  # resumed, or re-run
            defaults = {**defaults, **(self._graph_input_for(plan) or {})}
        return redact.reveal(record.input_data, hidden, defaults, self._masks.get(plan.id))

    async def unmasked_outputs(self, record: NodeExecRecord) -> dict[str, list[Any]]:
        """A finished node's outputs as they were routed, to route them again (resume,
        re-run). A secret Agent Input's are stored masked: its block, which only passes the
        run's input on, runs again (unrecorded) to give them back."""
        plan = self.plan.nodes.get(record.node_id)
        if plan is None or not redact.masks_secret_input(
            plan.block, record.input_data, record.output_data
        ):
            return record.output_data
        ctx = await self._context(record, plan)
        outcome = await run_node(plan.block, self.inputs_for(record, plan), ctx, plan.policy)
        if outcome.error is not None:
            self.fail_run(f"Node {record.node_id} cannot pass its secret on: {outcome.error}")
        return outcome.outputs

    def collect_graph_output(self, plan: NodePlan, record: NodeExecRecord) -> None:
        if plan.block_type != BlockType.OUTPUT or record.status != S.COMPLETED:
            return
        name = str(record.input_data.get("name") or record.output_data.get("name", [""])[0])
        self.outputs.setdefault(name, []).extend(record.output_data.get("output", []))

    # -- ending ------------------------------------------------------------------------------
    def request_stop(self) -> None:
        """Stop the run: running blocks are cancelled, queued ones dropped; TERMINATED."""
        self._end_early(S.TERMINATED, None)

    def fail_run(self, message: str) -> None:
        """End the whole run FAILED (out of credits, too many steps)."""
        self._end_early(S.FAILED, message)

    def _end_early(self, status: ExecutionStatus, error: str | None) -> None:
        if self._final is not None:
            return
        self._final, self._final_error = status, error
        self._cancelled.set()
        current = asyncio.current_task()
        for task in list(self._tasks.values()):
            if task is not current:
                task.cancel()
        self._done.set()

    async def _wait_tasks(self) -> None:
        while self._tasks:
            await asyncio.gather(*self._tasks.values(), return_exceptions=True)
        await self.engine.committer.flush()

    def _finish(self) -> None:
        if self._final is not None:
            self._terminate_leftovers()
            status, error = self._final, self._final_error
        elif self._unhandled:
            status, error = S.FAILED, self._failure_message()
        else:
            status, error = S.COMPLETED, None
        self.record.error = error
        self.record.ended_at = time.time()
        self.record.stats = {"node_executions": self._seq, "node_errors": len(self._unhandled)}
        self._set_status(status, durable=True)

    def _terminate_leftovers(self) -> None:
        for record in [*self._queued.values(), *self.book.pending_records()]:
            if record.status in (S.QUEUED, S.INCOMPLETE):
                record.status = S.TERMINATED
                record.ended_at = time.time()
                self.engine.committer.stage_node(record)

    def _failure_message(self) -> str:
        first = self._unhandled[0]
        name = self.plan.nodes[first.node_id].block.name()
        more = f" (and {len(self._unhandled) - 1} more)" if len(self._unhandled) > 1 else ""
        return f"Node {first.node_id} ({name}) failed: {first.error}{more}"

    def _abandon(self) -> None:
        """The process is shutting down: leave the run as stored, to be resumed later."""
        for task in list(self._tasks.values()):
            task.cancel()

    # -- status and events ---------------------------------------------------------------------
    def _set_status(self, status: ExecutionStatus, *, durable: bool) -> None:
        record = self.record
        if record.status != status:
            record.status = transition(GRAPH_TRANSITIONS, record.status, status, what="run")
        if status == S.RUNNING and record.started_at is None:
            record.started_at = time.time()
        self.engine.committer.stage_graph(record, durable=durable)
        record.event_seq += 1
        data = events.graph_exec_event(record, self.outputs)
        self.engine.committer.publish(self._channel, events.message(events.GRAPH_EVENT, data))

    def _publish_node(self, record: NodeExecRecord) -> None:
        self.engine.committer.stage_graph(self.record, durable=False)
        self.record.event_seq += 1
        record.event_seq = self.record.event_seq
        data = events.node_exec_event(record, self.record)
        data["seq"] = self.record.event_seq
        self.engine.committer.publish(self._channel, events.message(events.NODE_EVENT, data))


def _failed(message: str) -> NodeOutcome:
    return NodeOutcome(outputs={"error": [message]}, error=message)

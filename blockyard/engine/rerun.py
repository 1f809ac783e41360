"""Re-running a finished execution from one node.

The new run is of the same pinned version. Every node that is not the chosen node or
downstream of it keeps its stored result: its finished executions are copied into the new
run (marked ``reused_from``), and their values are routed again so that downstream nodes
find the inputs they had. Then the chosen node runs on the inputs it had (with the caller's
edits), and everything downstream runs anew.
"""

from typing import TYPE_CHECKING, Any

from blockyard.blocks.pins import select
from blockyard.engine.plan import Plan
from blockyard.engine.ports import NodeExecRecord
from blockyard.engine.states import ExecutionStatus

if TYPE_CHECKING:
    from blockyard.engine.run import GraphRun

S = ExecutionStatus


def downstream_of(plan: Plan, node_id: str) -> set[str]:
    """``node_id`` and every node reachable from it along links."""
    seen = {node_id}
    frontier = [node_id]
    while frontier:
        current = plan.nodes[frontier.pop()]
        for routes in current.routes.values():
            for route in routes:
                if route.sink_id not in seen:
                    seen.add(route.sink_id)
                    frontier.append(route.sink_id)
    return seen


async def seed_rerun(run: "GraphRun") -> None:
    spec: dict[str, Any] = run.record.rerun_of or {}
    target = str(spec.get("node_id"))
    if target not in run.plan.nodes:
        run.fail_run(f"Node {target} is not in this agent")
        return
    source = await run.engine.store.list_node_execs(str(spec.get("graph_exec_id")))
    downstream = downstream_of(run.plan, target)
    finished = sorted(
        (r for r in source if r.status in (S.COMPLETED, S.FAILED) and r.node_id not in downstream),
        key=lambda r: r.end_seq,
    )
    for old in finished:
        _reuse(run, old, downstream - {target}, await run.unmasked_outputs(old))
    run.stage_touched()
    _queue_target(run, target, source, spec.get("inputs") or {})


def _reuse(
    run: "GraphRun", old: NodeExecRecord, receivers: set[str], outputs: dict[str, list[Any]]
) -> None:
    """Copy a finished node execution into the new run and route its values (``outputs``:
    the stored ones, a secret Agent Input's unmasked) downstream."""
    record = run.new_record(old.node_id)
    record.status = old.status
    record.input_data = old.input_data
    record.output_data = old.output_data
    record.error = old.error
    record.queued_at, record.started_at, record.ended_at = (
        old.queued_at,
        old.started_at,
        old.ended_at,
    )
    record.stats = {**old.stats, "reused_from": old.id}
    record.end_seq = run.next_end_seq()
    run.engine.committer.stage_node(record)
    plan = run.plan.nodes[old.node_id]
    run.collect_graph_output(plan, record)
    for pin, values in outputs.items():
        for route in plan.routes.get(pin, ()):
            if route.sink_id not in receivers:
                continue
            for value in values:
                ok, selected = select(pin, value, route.selector)
                if ok:
                    run.book.deliver(route.sink_id, route.sink_name, selected, route.is_static)


def _queue_target(
    run: "GraphRun", target: str, source: list[NodeExecRecord], edits: dict[str, Any]
) -> None:
    previous = [r for r in source if r.node_id == target and r.status != S.INCOMPLETE]
    if not previous and target not in run.plan.starting:
        run.fail_run(f"Node {target} did not run in that execution; nothing to re-run from")
        return
    inputs = {**(previous[-1].input_data if previous else {}), **edits}
    record = run.new_record(target)
    queued = run.make_queued(record, run.plan.nodes[target], inputs)
    run.queue_after_commit([queued])

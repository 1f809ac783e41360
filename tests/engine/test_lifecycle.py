"""Retries, timeouts, stop, crash-resume, sub-agents, billing and re-runs."""

import asyncio

import pytest

from blockyard.engine.executor import new_graph_exec
from blockyard.engine.memory import MemoryBilling
from blockyard.engine.states import ExecutionStatus as S
from blockyard.graph.model import NodePolicy
from tests.engine import blocks_for_tests as tb
from tests.engine.helpers import USER, GraphBuilder, Harness


async def test_retry_policy_retries_transient_failures() -> None:
    g = GraphBuilder()
    policy = NodePolicy(max_attempts=3, backoff_seconds=0.001)
    flaky = g.node(tb.FlakyBlock, policy=policy, failures=2, value="ok")
    h = Harness()
    record = await h.run(g.graph)
    assert record.status == S.COMPLETED
    (execution,) = await h.node_execs(record)
    assert execution.output_data == {"out": ["ok"]}
    assert execution.stats["attempts"] == 3
    assert flaky == execution.node_id


async def test_without_a_policy_a_transient_failure_fails_once() -> None:
    g = GraphBuilder()
    g.node(tb.FlakyBlock, failures=1)
    h = Harness()
    record = await h.run(g.graph)
    assert record.status == S.FAILED
    (execution,) = await h.node_execs(record)
    assert execution.stats["attempts"] == 1
    assert execution.error == "try again"


async def test_timeout_policy_fails_a_slow_node() -> None:
    g = GraphBuilder()
    g.node(tb.SleepBlock, policy=NodePolicy(timeout_seconds=0.01), seconds=5)
    h = Harness()
    record = await h.run(g.graph)
    assert record.status == S.FAILED
    (execution,) = await h.node_execs(record)
    assert execution.error == "SleepBlock timed out after 0.01s"


async def test_stop_terminates_running_and_queued_nodes() -> None:
    g = GraphBuilder()
    slow = g.node(tb.SleepBlock, seconds=30, value=1)
    after = g.node(tb.AddBlock)
    g.link(slow, "out", after, "a")
    h = Harness()
    h.graphs.add(g.graph)
    record = new_graph_exec(g.graph, USER, {})
    await h.store.create_graph_exec(record)
    task = asyncio.create_task(h.engine.run(record.id))
    await _until(lambda: h.engine.is_running(record.id) and _running(h, slow))
    assert h.engine.stop(record.id)
    final = await asyncio.wait_for(task, 5)
    assert final.status == S.TERMINATED
    execs = await h.node_execs(final)
    assert [e.status for e in execs] == [S.TERMINATED]
    stored = await h.store.get_graph_exec(record.id)
    assert stored is not None and stored.status == S.TERMINATED


async def test_a_long_running_node_is_stored_running_without_waiting_for_its_end() -> None:
    """A page that opens the run mid-node reads the store: it must say RUNNING, not QUEUED."""
    g = GraphBuilder()
    slow = g.node(tb.SleepBlock, seconds=30, value=1)
    h = Harness()
    h.graphs.add(g.graph)
    record = new_graph_exec(g.graph, USER, {})
    await h.store.create_graph_exec(record)
    task = asyncio.create_task(h.engine.run(record.id))

    def stored_running() -> bool:
        rows = h.store.node_execs.get(record.id, {}).values()
        graph = h.store.graph_execs.get(record.id)
        node_running = any(r.node_id == slow and r.status == S.RUNNING for r in rows)
        return node_running and graph is not None and graph.status == S.RUNNING

    await _until(stored_running)
    stored = h.store.graph_execs[record.id]
    assert stored.event_seq == max(d["seq"] for d in h.bus.methods("node_execution_event"))
    h.engine.stop(record.id)
    assert (await asyncio.wait_for(task, 5)).status == S.TERMINATED


async def test_a_block_that_returns_when_stopped_still_ends_terminated() -> None:
    g = GraphBuilder()
    polite = g.node(tb.PoliteWaitBlock)
    h = Harness()
    h.graphs.add(g.graph)
    record = new_graph_exec(g.graph, USER, {})
    await h.store.create_graph_exec(record)
    task = asyncio.create_task(h.engine.run(record.id))
    await _until(lambda: _running(h, polite))
    assert h.engine.stop(record.id)
    final = await asyncio.wait_for(task, 5)
    assert final.status == S.TERMINATED
    assert [e.status for e in await h.node_execs(final)] == [S.TERMINATED]


async def test_a_stop_that_arrives_before_the_run_starts_is_kept() -> None:
    g = GraphBuilder()
    g.node(tb.SleepBlock, seconds=30)
    h = Harness()
    h.graphs.add(g.graph)
    record = new_graph_exec(g.graph, USER, {})
    await h.store.create_graph_exec(record)
    assert not h.engine.stop(record.id)
    final = await asyncio.wait_for(h.engine.run(record.id), 5)
    assert final.status == S.TERMINATED


async def test_resume_after_a_crash_runs_nothing_twice() -> None:
    """Abandon a run mid-way (as a killed process would), resume it on a new engine."""
    g = GraphBuilder()
    first = g.node(tb.AddBlock, a=1)
    slow = g.node(tb.SleepBlock, seconds=30)
    pair = g.node(tb.PairBlock)
    last = g.node(tb.AddBlock, b=1)
    g.link(first, "sum", slow, "value")
    g.link(first, "sum", pair, "a")
    g.link(slow, "out", pair, "b")
    g.link(first, "sum", last, "a")
    h = Harness()
    h.graphs.add(g.graph)
    record = new_graph_exec(g.graph, USER, {})
    await h.store.create_graph_exec(record)
    task = asyncio.create_task(h.engine.run(record.id))
    await _until(lambda: _running(h, slow))
    await h.engine.committer.flush()
    await h.engine.close()  # the crash: nothing more is written
    with pytest.raises(asyncio.CancelledError):
        await task

    stored = {e.node_id: e for e in await h.store.list_node_execs(record.id)}
    assert stored[first].status == S.COMPLETED
    assert stored[pair].status == S.INCOMPLETE and stored[pair].input_data == {"a": 1.0}

    # the second process: a fresh engine on the same store; the slow node is now quick
    tb.CALLS.clear()
    tb.SLEEP_SCALE[0] = 0.0
    try:
        final = await asyncio.wait_for(h.new_engine().run(record.id), 5)
    finally:
        tb.SLEEP_SCALE[0] = 1.0
    assert final.status == S.COMPLETED
    execs = await h.store.list_node_execs(record.id)
    by_node = {e.node_id: e for e in execs}
    assert by_node[pair].output_data == {"pair": [[1.0, 1.0]]}
    assert by_node[slow].id == stored[slow].id  # re-run with the same idempotency key
    assert tb.CALLS[stored[first].id] == 0  # completed before the crash: not run again
    assert len(execs) == 4


async def test_sub_agent_runs_as_a_child_execution() -> None:
    child = GraphBuilder("child")
    cin = child.node(tb.InputBlock, name="n")
    add = child.node(tb.AddBlock, b=1)
    cout = child.node(tb.OutputBlock, name="plus_one")
    child.link(cin, "result", add, "a")
    child.link(add, "sum", cout, "value")

    parent = GraphBuilder("parent")
    start = parent.node(tb.AddBlock, a=41)
    sub = parent.node(tb.SubAgentBlock, graph_id=child.graph.id, graph_version=1)
    out = parent.node(tb.OutputBlock, name="answer")
    parent.link(start, "sum", sub, "n")  # a sub-agent input pin, named like its input
    parent.link(sub, "plus_one", out, "value")
    h = Harness()
    h.graphs.add(child.graph)
    record = await h.run(parent.graph)
    assert record.status == S.COMPLETED, record.error
    assert await h.outputs_of(record, out, "output") == [42.0]
    children = [r for r in h.store.graph_execs.values() if r.parent_exec_id == record.id]
    assert len(children) == 1 and children[0].status == S.COMPLETED


async def test_stopping_a_parent_stops_its_sub_agent() -> None:
    child = GraphBuilder("child")
    child.node(tb.SleepBlock, seconds=30)
    parent = GraphBuilder("parent")
    parent.node(tb.SubAgentBlock, graph_id=child.graph.id)
    h = Harness()
    h.graphs.add(child.graph)
    h.graphs.add(parent.graph)
    record = new_graph_exec(parent.graph, USER, {})
    await h.store.create_graph_exec(record)
    task = asyncio.create_task(h.engine.run(record.id))
    await _until(lambda: any(r.parent_exec_id == record.id for r in h.store.graph_execs.values()))
    (child_id,) = [r.id for r in h.store.graph_execs.values() if r.parent_exec_id == record.id]
    await _until(lambda: h.engine.is_running(child_id))
    h.engine.stop(record.id)
    final = await asyncio.wait_for(task, 5)
    assert final.status == S.TERMINATED
    assert h.store.graph_execs[child_id].status == S.TERMINATED


async def test_billing_charges_with_completion_and_stops_when_out_of_credits() -> None:
    g = GraphBuilder()
    a = g.node(tb.AddBlock, a=1)
    b = g.node(tb.AddBlock)
    c = g.node(tb.AddBlock)
    g.link(a, "sum", b, "a")
    g.link(b, "sum", c, "a")
    billing = MemoryBilling({USER: 2}, costs={tb.AddBlock.id: 1})
    h = Harness(billing=billing)
    record = await h.run(g.graph)
    assert record.status == S.FAILED
    assert "Insufficient balance" in (record.error or "")
    assert [ch.amount for ch in h.store.charges] == [1, 1]
    statuses = {e.node_id: e.status for e in await h.node_execs(record)}
    assert statuses == {a: S.COMPLETED, b: S.COMPLETED, c: S.FAILED}


async def test_a_platform_failure_is_not_charged(monkeypatch: pytest.MonkeyPatch) -> None:
    async def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("the worker lost its disk")

    monkeypatch.setattr("blockyard.engine.run.run_node", broken)
    g = GraphBuilder()
    g.node(tb.AddBlock, a=1, b=1)
    billing = MemoryBilling({USER: 5}, costs={tb.AddBlock.id: 2})
    h = Harness(billing=billing)
    record = await h.run(g.graph)
    assert record.status == S.FAILED
    (execution,) = await h.node_execs(record)
    assert execution.error == "Platform error: RuntimeError: the worker lost its disk"
    assert h.store.charges == []
    await _until(lambda: billing.reserved.get(USER, 0) == 0)  # the hold is given back


async def test_rerun_from_a_node_reuses_upstream_results() -> None:
    g = GraphBuilder()
    a = g.node(tb.AddBlock, a=1, b=1)
    b = g.node(tb.AddBlock, b=10)
    c = g.node(tb.AddBlock, b=100)
    g.link(a, "sum", b, "a")
    g.link(b, "sum", c, "a")
    h = Harness()
    first = await h.run(g.graph)
    a_exec = next(e for e in await h.node_execs(first) if e.node_id == a)

    rerun = new_graph_exec(g.graph, USER, {})
    rerun.rerun_of = {"graph_exec_id": first.id, "node_id": b, "inputs": {"b": 20}}
    await h.store.create_graph_exec(rerun)
    tb.CALLS.clear()
    final = await h.engine.run(rerun.id)
    assert final.status == S.COMPLETED
    execs = {e.node_id: e for e in await h.node_execs(final)}
    assert execs[a].stats["reused_from"] == a_exec.id
    assert execs[b].input_data == {"a": 2.0, "b": 20}
    assert execs[c].output_data == {"sum": [122.0]}
    assert tb.CALLS[execs[a].id] == 0


async def _until(condition: "object", timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():  # type: ignore[operator]
            await asyncio.sleep(0.005)


def _running(h: Harness, node_id: str) -> bool:
    return any(
        d["node_id"] == node_id and d["status"] == "RUNNING"
        for d in h.bus.methods("node_execution_event")
    )

"""The engine's semantics on the in-memory twins: readiness, routing, errors, outputs."""

from blockyard.engine.states import ExecutionStatus as S
from tests.engine import blocks_for_tests as tb
from tests.engine.helpers import GraphBuilder, Harness


async def test_chain_with_inputs_and_outputs() -> None:
    g = GraphBuilder()
    inp = g.node(tb.InputBlock, name="x")
    add = g.node(tb.AddBlock, b=10)
    out = g.node(tb.OutputBlock, name="total")
    g.link(inp, "result", add, "a")
    g.link(add, "sum", out, "value")
    h = Harness()

    record = await h.run(g.graph, x=5)

    assert record.status == S.COMPLETED
    execs = await h.node_execs(record)
    assert [e.status for e in execs] == [S.COMPLETED] * 3
    add_exec = next(e for e in execs if e.node_id == add)
    assert add_exec.input_data == {"a": 5, "b": 10}
    assert add_exec.output_data == {"sum": [15.0]}
    graph_events = h.bus.methods("graph_execution_event")
    assert graph_events[-1]["status"] == "COMPLETED"
    assert graph_events[-1]["outputs"] == {"total": [15.0]}


async def test_events_are_in_order_with_increasing_seq() -> None:
    g = GraphBuilder()
    a = g.node(tb.AddBlock, a=1)
    b = g.node(tb.AddBlock)
    g.link(a, "sum", b, "a")
    h = Harness()
    await h.run(g.graph)
    seqs = [m["data"]["seq"] for _, m in h.bus.sent]
    assert seqs == sorted(seqs)
    assert len(set(seqs)) == len(seqs)
    statuses = [(d["node_id"], d["status"]) for d in h.bus.methods("node_execution_event")]
    assert statuses.index((a, "COMPLETED")) < statuses.index((b, "RUNNING"))


async def test_a_value_waits_for_the_other_linked_pin() -> None:
    g = GraphBuilder()
    first = g.node(tb.AddBlock, a=1)
    slow = g.node(tb.SleepBlock, seconds=0.05, value="late")
    pair = g.node(tb.PairBlock)
    g.link(first, "sum", pair, "a")
    g.link(slow, "out", pair, "b")
    h = Harness()
    record = await h.run(g.graph)
    assert await h.outputs_of(record, pair, "pair") == [[1.0, "late"]]


async def test_each_value_is_consumed_once_in_order() -> None:
    g = GraphBuilder()
    each_a = g.node(tb.EachBlock, items=[1, 2, 3])
    each_b = g.node(tb.EachBlock, items=["x", "y"])
    pair = g.node(tb.PairBlock)
    g.link(each_a, "item", pair, "a")
    g.link(each_b, "item", pair, "b")
    h = Harness()
    record = await h.run(g.graph)
    assert await h.outputs_of(record, pair, "pair") == [[1, "x"], [2, "y"]]
    leftovers = [e for e in await h.node_execs(record) if e.status == S.INCOMPLETE]
    assert [e.input_data for e in leftovers] == [{"a": 3}]


async def test_static_value_fills_every_waiting_set_and_later_ones() -> None:
    """Three values queued on ``a``; a static ``b`` arriving later completes all three."""
    g = GraphBuilder()
    each = g.node(tb.EachBlock, items=[1, 2, 3])
    slow = g.node(tb.SleepBlock, seconds=0.05, value="S")
    pair = g.node(tb.PairBlock)
    more = g.node(tb.SleepBlock, seconds=0.1, value=4)
    g.link(each, "item", pair, "a")
    g.link(slow, "out", pair, "b", static=True)
    g.link(more, "out", pair, "a")
    h = Harness()
    record = await h.run(g.graph)
    assert await h.outputs_of(record, pair, "pair") == [[1, "S"], [2, "S"], [3, "S"], [4, "S"]]


async def test_input_default_alone_never_triggers_a_linked_node() -> None:
    g = GraphBuilder()
    never = g.node(tb.FailBlock, message="x")  # yields error, nothing on `never`
    add = g.node(tb.AddBlock, a=1, b=2)
    g.link(never, "never", add, "a")
    g.link(never, "error", add, "b")  # handled error: flows on
    h = Harness()
    record = await h.run(g.graph)
    # the error arrives on b, but a never arrives: the add node waits and never runs
    assert await h.outputs_of(record, add, "sum") == []
    assert record.status == S.COMPLETED


async def test_dynamic_pins_merge_on_sink_and_select_on_source() -> None:
    g = GraphBuilder()
    one = g.node(tb.AddBlock, a=1)
    two = g.node(tb.AddBlock, a=2)
    d = g.node(tb.DictBlock)
    pick = g.node(tb.AddBlock, b=100)
    g.link(one, "sum", d, "values_#_one")
    g.link(two, "sum", d, "values_#_two")
    g.link(d, "dictionary_#_two", pick, "a")
    h = Harness()
    record = await h.run(g.graph)
    assert await h.outputs_of(record, d, "dictionary") == [{"one": 1.0, "two": 2.0}]
    assert await h.outputs_of(record, pick, "sum") == [102.0]


async def test_unhandled_error_fails_the_run_after_the_rest_has_run() -> None:
    g = GraphBuilder()
    fail = g.node(tb.FailBlock, message="bad thing")
    other = g.node(tb.SleepBlock, seconds=0.02, value=1)
    h = Harness()
    record = await h.run(g.graph)
    assert record.status == S.FAILED
    assert "bad thing" in (record.error or "")
    execs = {e.node_id: e for e in await h.node_execs(record)}
    assert execs[fail].status == S.FAILED
    assert execs[fail].output_data == {"error": ["bad thing"]}
    assert execs[other].status == S.COMPLETED


async def test_handled_error_flows_on_like_a_value() -> None:
    g = GraphBuilder()
    fail = g.node(tb.FailBlock, message="oops", raise_it=True)
    out = g.node(tb.OutputBlock, name="err")
    g.link(fail, "error", out, "value")
    h = Harness()
    record = await h.run(g.graph)
    assert record.status == S.COMPLETED
    assert await h.outputs_of(record, out, "output") == ["RuntimeError: oops"]


async def test_invalid_input_fails_the_node_with_a_readable_message() -> None:
    g = GraphBuilder()
    add = g.node(tb.AddBlock, a="not a number")
    h = Harness()
    record = await h.run(g.graph)
    assert record.status == S.FAILED
    (execution,) = await h.node_execs(record)
    assert "Invalid input for AddBlock" in (execution.error or "")
    assert "a:" in (execution.error or "")
    assert add in (record.error or "")


async def test_a_cycle_that_never_becomes_ready_ends() -> None:
    g = GraphBuilder()
    x = g.node(tb.PairBlock)
    y = g.node(tb.PairBlock)
    g.link(x, "pair", y, "a")
    g.link(y, "pair", x, "a")
    h = Harness()
    record = await h.run(g.graph)
    assert record.status == S.COMPLETED
    assert await h.node_execs(record) == []


async def test_endless_loop_is_cut_off_by_the_step_limit() -> None:
    g = GraphBuilder()
    start = g.node(tb.AddBlock, a=0, b=1)
    loop = g.node(tb.AddBlock, b=1)
    g.link(start, "sum", loop, "a")
    g.link(loop, "sum", loop, "a")
    h = Harness(max_node_execs=50)
    record = await h.run(g.graph)
    assert record.status == S.FAILED
    assert "50 node executions" in (record.error or "")


async def test_parallel_branches_share_commits() -> None:
    g = GraphBuilder()
    root = g.node(tb.AddBlock, a=1)
    for _ in range(200):
        leaf = g.node(tb.AddBlock, b=1)
        g.link(root, "sum", leaf, "a")
    h = Harness()
    record = await h.run(g.graph)
    assert record.status == S.COMPLETED
    assert len(await h.node_execs(record)) == 201
    assert h.store.commits < 50


async def test_concurrency_is_bounded_per_execution() -> None:
    g = GraphBuilder()
    for _ in range(12):
        g.node(tb.SleepBlock, seconds=0.02)
    h = Harness(node_concurrency=3)
    record = await h.run(g.graph)
    running = 0
    peak = 0
    for data in h.bus.methods("node_execution_event"):
        if data["status"] == "RUNNING":
            running += 1
        elif data["status"] == "COMPLETED":
            running -= 1
        peak = max(peak, running)
    assert record.status == S.COMPLETED
    assert peak == 3


async def test_a_failing_commit_is_retried_without_losing_work() -> None:
    g = GraphBuilder()
    a = g.node(tb.AddBlock, a=1)
    b = g.node(tb.AddBlock, b=1)
    g.link(a, "sum", b, "a")
    h = Harness()
    h.store.fail_next_commits = 2
    record = await h.run(g.graph)
    assert record.status == S.COMPLETED
    assert await h.outputs_of(record, b, "sum") == [2.0]

"""The engine running on the SQL store: results, charges, credits and resume after a crash."""

import asyncio

from sqlalchemy import select

from blockyard.engine.costs import CostTable
from blockyard.engine.executor import Engine, new_graph_exec
from blockyard.engine.memory import MemoryBus
from blockyard.engine.ports import GraphExecRecord, NodeExecRecord
from blockyard.engine.states import ExecutionStatus as S
from blockyard.store.credit_repo import Account, CreditRepo
from blockyard.store.credits import SqlBilling
from blockyard.store.db import Database, open_database
from blockyard.store.executions import ExecutionRepo, SqlRunStore
from blockyard.store.graphs import GraphRepo, SqlGraphSource
from blockyard.store.ledger import CreditKind
from blockyard.store.tables import CreditTransactionRow
from tests.engine import blocks_for_tests as tb
from tests.engine.helpers import GraphBuilder
from tests.store.helpers import MakeUser


def engine_on(db: Database, billing: SqlBilling | None = None) -> tuple[Engine, MemoryBus]:
    bus = MemoryBus()
    store = SqlRunStore(db, credit_holder=billing.holder if billing else None)
    engine = Engine(tb.test_registry(), store, SqlGraphSource(db), bus, billing=billing)
    return engine, bus


async def test_a_chain_runs_and_its_records_and_charges_are_stored(
    db: Database, make_user: MakeUser
) -> None:
    ann = await make_user("ann")
    g = GraphBuilder("chain ✓")
    inp = g.node(tb.InputBlock, name="x")
    add = g.node(tb.AddBlock, b=10)
    out = g.node(tb.OutputBlock, name="total")
    g.link(inp, "result", add, "a")
    g.link(add, "sum", out, "value")
    graph = await GraphRepo(db).create(ann.id, g.graph)
    await CreditRepo(db).add(ann.id, CreditKind.GRANT, 10, "to run", None)
    billing = SqlBilling(db, CostTable(tb.test_registry(), {tb.AddBlock.id: 3}))
    engine, bus = engine_on(db, billing)
    try:
        record = await engine.execute(graph, ann.id, {"x": 5})
    finally:
        await engine.close()
        await billing.close()

    assert record.status == S.COMPLETED
    stored = await ExecutionRepo(db).get(ann.id, record.id)
    assert stored == record
    execs = await ExecutionRepo(db).node_execs(ann.id, record.id)
    assert [e.status for e in execs] == [S.COMPLETED] * 3
    add_exec = next(e for e in execs if e.node_id == add)
    assert add_exec.input_data == {"a": 5, "b": 10} and add_exec.output_data == {"sum": [15.0]}
    assert bus.methods("graph_execution_event")[-1]["outputs"] == {"total": [15.0]}
    query = select(CreditTransactionRow).where(CreditTransactionRow.kind == "USAGE")
    async with db.sessions() as session:
        charges = (await session.scalars(query)).all()
    assert [(c.user_id, c.amount, c.node_exec_id) for c in charges] == [(ann.id, -3, add_exec.id)]
    assert await CreditRepo(db).account(ann.id) == Account(balance=7, reserved=0)


async def test_a_run_resumes_in_a_new_process_after_a_crash(
    database_url: str, db: Database, make_user: MakeUser
) -> None:
    ann = await make_user("ann")
    g = GraphBuilder()
    first = g.node(tb.AddBlock, a=1)
    slow = g.node(tb.SleepBlock, seconds=30)
    pair = g.node(tb.PairBlock)
    g.link(first, "sum", slow, "value")
    g.link(first, "sum", pair, "a")
    g.link(slow, "out", pair, "b")
    graph = await GraphRepo(db).create(ann.id, g.graph)
    store = SqlRunStore(db)
    record = new_graph_exec(graph, ann.id, {})
    await store.create_graph_exec(record)

    engine, bus = engine_on(db)
    task = asyncio.create_task(engine.run(record.id))
    async with asyncio.timeout(10):
        while not any(
            d["node_id"] == slow and d["status"] == "RUNNING"
            for d in bus.methods("node_execution_event")
        ):
            await asyncio.sleep(0.005)
    await engine.committer.flush()
    await engine.close()  # the crash: nothing more is written
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert await store.unfinished_graph_execs() == [record.id]

    other = await open_database(database_url)  # a second process on the same database
    tb.CALLS.clear()
    tb.SLEEP_SCALE[0] = 0.0
    try:
        engine2, _ = engine_on(other)
        final = await asyncio.wait_for(engine2.run(record.id), 10)
        await engine2.close()
    finally:
        tb.SLEEP_SCALE[0] = 1.0
        await other.close()
    assert final.status == S.COMPLETED
    by_node = {e.node_id: e for e in await store.list_node_execs(record.id)}
    assert by_node[pair].output_data == {"pair": [[1.0, 1.0]]}
    assert tb.CALLS[by_node[first].id] == 0  # completed before the crash: not run again
    assert await store.unfinished_graph_execs() == []


async def _run_with_credits(
    db: Database, make_user: MakeUser, g: GraphBuilder, credits: int
) -> tuple[str, GraphExecRecord, list[NodeExecRecord]]:
    """Run ``g`` for a new user holding ``credits``, every Add node costing 1."""
    ann = await make_user("ann")
    await CreditRepo(db).add(ann.id, CreditKind.GRANT, credits, "to run", None)
    graph = await GraphRepo(db).create(ann.id, g.graph)
    billing = SqlBilling(db, CostTable(tb.test_registry(), {tb.AddBlock.id: 1}))
    engine, _bus = engine_on(db, billing)
    try:
        record = await engine.execute(graph, ann.id, {})
        async with asyncio.timeout(10):  # stopped nodes give their reservations back
            while (await CreditRepo(db).account(ann.id)).reserved:
                await asyncio.sleep(0.01)
    finally:
        await engine.close()
        await billing.close()
    return ann.id, record, await ExecutionRepo(db).node_execs(ann.id, record.id)


async def test_a_run_out_of_credits_fails_cleanly_having_paid_for_what_ran(
    db: Database, make_user: MakeUser
) -> None:
    g = GraphBuilder()
    a = g.node(tb.AddBlock, a=1)
    b = g.node(tb.AddBlock)
    c = g.node(tb.AddBlock)
    g.link(a, "sum", b, "a")
    g.link(b, "sum", c, "a")
    user_id, record, execs = await _run_with_credits(db, make_user, g, credits=2)
    assert record.status == S.FAILED
    assert record.error == "Insufficient balance: 0 credits available, 1 needed"
    by_node = {e.node_id: e for e in execs}
    assert [by_node[n].status for n in (a, b, c)] == [S.COMPLETED, S.COMPLETED, S.FAILED]
    assert by_node[c].error == record.error
    assert await CreditRepo(db).run_cost(user_id, record.id) == 2
    assert await CreditRepo(db).account(user_id) == Account(balance=0, reserved=0)


async def test_parallel_nodes_never_spend_more_than_the_balance(
    db: Database, make_user: MakeUser
) -> None:
    g = GraphBuilder()
    source = g.node(tb.AddBlock, a=1)
    for _ in range(8):
        g.link(source, "sum", g.node(tb.AddBlock), "a")
    user_id, record, execs = await _run_with_credits(db, make_user, g, credits=4)
    assert record.status == S.FAILED and "Insufficient balance" in (record.error or "")
    completed = {e.id for e in execs if e.status == S.COMPLETED}
    usage = (await CreditRepo(db).transactions(user_id, CreditKind.USAGE)).transactions
    assert {t.node_exec_id for t, _ in usage} == completed  # charged exactly what ran
    assert 1 <= len(completed) <= 4
    assert await CreditRepo(db).account(user_id) == Account(balance=4 - len(completed), reserved=0)

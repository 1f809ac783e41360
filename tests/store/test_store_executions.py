"""SqlRunStore (the engine's RunStore contract) and ExecutionRepo, on both databases."""

import asyncio
import copy
import dataclasses
from typing import Any

import pytest
from sqlalchemy import select

from blockyard.engine.ports import Batch, Charge, GraphExecRecord, NodeExecRecord
from blockyard.engine.states import ExecutionStatus as S
from blockyard.errors import ConflictError, NotFoundError
from blockyard.graph.model import new_id
from blockyard.store.db import Database
from blockyard.store.exec_rows import GRAPH_EXEC_COLUMNS, NODE_EXEC_COLUMNS
from blockyard.store.executions import ExecutionRepo, SqlRunStore
from blockyard.store.ledger import TRANSACTION_COLUMNS
from blockyard.store.tables import CreditTransactionRow, UserCreditRow, metadata

RICH: dict[str, Any] = {
    "text": "Grüße 👋 — 你好 — مرحبا",
    "nested": {"list": [1, 2.5, None, True, {"deep": ["x", {"y": []}]}], "empty": {}},
    "big": 2**62,
    "neg": -0.125,
}


def graph_exec(user_id: str = "user-a", **changes: Any) -> GraphExecRecord:
    record = GraphExecRecord(
        id=new_id(),
        graph_id="graph-1",
        graph_version=2,
        user_id=user_id,
        status=S.QUEUED,
        inputs={"topic": RICH["text"], "options": RICH["nested"]},
        node_input_masks={"node-1": {"pin": [1, {"a": "b"}]}},
        created_at=1_700_000_000.25,
        stats={"cost": 0},
    )
    return dataclasses.replace(record, **changes)


def node_exec(graph_exec_id: str, seq: int, **changes: Any) -> NodeExecRecord:
    record = NodeExecRecord(
        id=new_id(),
        graph_exec_id=graph_exec_id,
        node_id=f"node-{seq}",
        block_id="block-1",
        status=S.QUEUED,
        input_data={"value": RICH},
        seq=seq,
        added_at=1_700_000_001.5 + seq,
        queued_at=1_700_000_001.75 + seq,
    )
    return dataclasses.replace(record, **changes)


def test_row_columns_match_the_tables() -> None:
    for table, columns in [
        ("graph_executions", GRAPH_EXEC_COLUMNS),
        ("node_executions", NODE_EXEC_COLUMNS),
        ("credit_transactions", TRANSACTION_COLUMNS),
    ]:
        assert sorted(columns) == sorted(metadata.tables[table].columns.keys())
    assert set(GRAPH_EXEC_COLUMNS) == {f.name for f in dataclasses.fields(GraphExecRecord)}
    assert set(NODE_EXEC_COLUMNS) == {f.name for f in dataclasses.fields(NodeExecRecord)}


async def test_a_created_run_reads_back_identical(db: Database) -> None:
    store = SqlRunStore(db)
    record = graph_exec(idempotency_key="key-1", rerun_of={"graph_exec_id": "x", "node_id": "n"})
    await store.create_graph_exec(record)
    assert await store.get_graph_exec(record.id) == record
    assert await store.find_graph_exec_by_key("key-1") == record
    assert await store.get_graph_exec("missing") is None
    assert await store.find_graph_exec_by_key("missing") is None
    with pytest.raises(ConflictError):
        await store.create_graph_exec(record)
    with pytest.raises(ConflictError):  # a second run with the same idempotency key
        await store.create_graph_exec(graph_exec(idempotency_key="key-1"))


async def test_commit_then_read_back_identical_records(db: Database) -> None:
    store = SqlRunStore(db)
    run = graph_exec()
    await store.create_graph_exec(run)
    run.status, run.started_at, run.event_seq = S.RUNNING, 1_700_000_002.0, 3
    nodes = [node_exec(run.id, seq) for seq in (2, 0, 1)]
    nodes[0].output_data = {"result": [RICH, "second ✓"], "error": []}
    nodes[0].stats = {"walltime": 0.5, "llm": {"tokens": [1, 2]}}
    await store.commit(Batch({run.id: run}, {n.id: n for n in nodes}))
    assert await store.get_graph_exec(run.id) == run
    assert await store.list_node_execs(run.id) == sorted(nodes, key=lambda n: n.seq)
    assert await store.list_node_execs("other") == []


async def test_commit_upserts_by_id(db: Database) -> None:
    store = SqlRunStore(db)
    run = graph_exec()
    await store.create_graph_exec(run)
    node = node_exec(run.id, 0)
    await store.commit(Batch(node_execs={node.id: node}))
    node.status, node.attempt, node.started_at = S.RUNNING, 1, 1_700_000_003.0
    await store.commit(Batch(node_execs={node.id: node}))
    node.status, node.end_seq, node.ended_at = S.FAILED, 4, 1_700_000_004.0
    node.error, node.output_data = "boom ✗", {"error": ["boom ✗"]}
    run.status, run.ended_at, run.error = S.FAILED, 1_700_000_005.0, "node failed"
    await store.commit(Batch({run.id: run}, {node.id: node}))
    assert await store.list_node_execs(run.id) == [node]
    assert await store.get_graph_exec(run.id) == run


async def test_commit_snapshots_the_batch_before_writing(db: Database) -> None:
    store = SqlRunStore(db)
    run = graph_exec()
    await store.create_graph_exec(run)
    node = node_exec(run.id, 0, output_data={"out": [1]})
    expected = copy.deepcopy(node)
    pending = store.commit(Batch(node_execs={node.id: node}))
    # The engine hands the batch over and keeps changing its records meanwhile.
    task = asyncio.ensure_future(pending)
    await asyncio.sleep(0)
    node.output_data["out"].append(2)
    node.status = S.COMPLETED
    await task
    assert await store.list_node_execs(run.id) == [expected]


async def test_charges_are_stored_with_the_batch(db: Database) -> None:
    store = SqlRunStore(db)
    run = graph_exec()
    await store.create_graph_exec(run)
    node = node_exec(run.id, 0, status=S.COMPLETED)
    charges = [
        Charge("user-a", 5, run.id, node.id, "block-1"),
        Charge("user-a", 7, run.id, node.id, "b2"),
    ]
    await store.commit(Batch(node_execs={node.id: node}, charges=charges))
    await store.commit(Batch(charges=[Charge("user-a", 1, run.id, node.id, "block-1")]))
    async with db.sessions() as session:
        rows = (await session.scalars(select(CreditTransactionRow))).all()
        balance = await session.get(UserCreditRow, "user-a")
    assert sorted((r.amount, r.kind, r.block_id, r.node_exec_id) for r in rows) == [
        (-7, "USAGE", "b2", node.id),
        (-5, "USAGE", "block-1", node.id),
        (-1, "USAGE", "block-1", node.id),
    ]
    assert {r.user_id for r in rows} == {"user-a"} and len({r.id for r in rows}) == 3
    assert balance is not None and balance.balance == -13
    assert sorted(r.running_balance for r in rows) == [-13, -12, -5]


async def test_a_failing_commit_writes_nothing(db: Database) -> None:
    store = SqlRunStore(db)
    run = graph_exec()
    await store.create_graph_exec(run)
    good = node_exec(run.id, 0)
    orphan = node_exec("no-such-run", 1)  # violates the foreign key
    run.status = S.RUNNING
    with pytest.raises(Exception):  # noqa: B017 - the driver's integrity error
        await store.commit(
            Batch(
                {run.id: run},
                {good.id: good, orphan.id: orphan},
                [Charge("u", 1, run.id, good.id, "b")],
            )
        )
    assert (await store.get_graph_exec(run.id)).status == S.QUEUED  # type: ignore[union-attr]
    assert await store.list_node_execs(run.id) == []
    async with db.sessions() as session:
        assert (await session.scalars(select(CreditTransactionRow))).all() == []
    await store.commit(Batch(node_execs={good.id: good}))  # the store still works
    assert await store.list_node_execs(run.id) == [good]


async def test_an_empty_batch_is_a_no_op(db: Database) -> None:
    await SqlRunStore(db).commit(Batch())


async def test_unfinished_lists_top_level_queued_and_running_runs(db: Database) -> None:
    store = SqlRunStore(db)
    runs = {
        status: graph_exec(status=status, created_at=1_700_000_000.0 + i)
        for i, status in enumerate(S)
    }
    child = graph_exec(status=S.RUNNING, parent_exec_id=runs[S.RUNNING].id)
    for record in [*runs.values(), child]:
        await store.create_graph_exec(record)
    assert await store.unfinished_graph_execs() == [runs[S.QUEUED].id, runs[S.RUNNING].id]
    runs[S.QUEUED].status = S.TERMINATED
    await store.commit(Batch({runs[S.QUEUED].id: runs[S.QUEUED]}))
    assert await store.unfinished_graph_execs() == [runs[S.RUNNING].id]


async def test_execution_repo_lists_newest_first_per_owner(db: Database) -> None:
    store, repo = SqlRunStore(db), ExecutionRepo(db)
    ann = [
        graph_exec("ann", created_at=100.0 + i, graph_id="g1" if i % 2 else "g2") for i in range(5)
    ]
    bob = graph_exec("bob", created_at=1000.0)
    for record in [*ann, bob]:
        await store.create_graph_exec(record)
    listed = await repo.list("ann")
    assert [r.id for r in listed] == [r.id for r in reversed(ann)]
    assert listed[0] == ann[-1]
    assert [r.id for r in await repo.list("ann", limit=2, offset=1)] == [ann[3].id, ann[2].id]
    assert [r.id for r in await repo.list("ann", graph_id="g1")] == [ann[3].id, ann[1].id]
    assert [r.id for r in await repo.list("bob")] == [bob.id]
    assert await repo.list("nobody") == []


async def test_execution_repo_hides_other_users_runs(db: Database) -> None:
    store, repo = SqlRunStore(db), ExecutionRepo(db)
    run = graph_exec("ann")
    await store.create_graph_exec(run)
    node = node_exec(run.id, 0)
    await store.commit(Batch(node_execs={node.id: node}))
    assert await repo.get("ann", run.id) == run
    assert await repo.node_execs("ann", run.id) == [node]
    with pytest.raises(NotFoundError):
        await repo.get("bob", run.id)
    with pytest.raises(NotFoundError):
        await repo.node_execs("bob", run.id)
    with pytest.raises(NotFoundError):
        await repo.get("ann", "missing")


async def test_node_execs_after_a_sequence_number(db: Database) -> None:
    store, repo = SqlRunStore(db), ExecutionRepo(db)
    run = graph_exec("ann")
    await store.create_graph_exec(run)
    done = node_exec(run.id, 1, status=S.COMPLETED, end_seq=2, event_seq=5)
    old = node_exec(run.id, 2, status=S.COMPLETED, end_seq=1, event_seq=3)
    new = node_exec(run.id, 3, event_seq=6)
    unknown = node_exec(run.id, 4)  # written before event_seq was recorded: always sent
    await store.commit(Batch(node_execs={n.id: n for n in (done, old, new, unknown)}))
    every = [done.id, old.id, new.id, unknown.id]
    assert [n.id for n in await repo.node_execs("ann", run.id)] == every
    assert [n.id for n in await repo.node_execs("ann", run.id, after_seq=4)] == [
        done.id,
        new.id,
        unknown.id,
    ]
    assert await repo.node_execs("ann", run.id, after_seq=6) == [unknown]
    stored = {n.id: n.event_seq for n in await repo.node_execs("ann", run.id)}
    assert stored == {done.id: 5, old.id: 3, new.id: 6, unknown.id: 0}

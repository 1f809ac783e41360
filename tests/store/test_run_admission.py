"""``admit_graph_exec``: the runs-per-user limit counted and applied in one atomic step.

On both databases and on the in-memory twin: what counts (a user's queued, running and
waiting top-level runs), and that concurrent admissions through two separate connections
(two API processes) never let more than the limit in.
"""

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from typing import Any

import pytest

from blockyard.engine.memory import MemoryRunStore
from blockyard.engine.ports import Batch, GraphExecRecord, RunStore
from blockyard.engine.states import ExecutionStatus as S
from blockyard.errors import ConflictError
from blockyard.graph.model import new_id
from blockyard.store.db import Database, open_database
from blockyard.store.executions import ExecutionRepo, SqlRunStore

LIMIT = 3


def run(user_id: str = "ann", **changes: Any) -> GraphExecRecord:
    record = GraphExecRecord(
        id=new_id(), graph_id="g", graph_version=1, user_id=user_id, status=S.QUEUED
    )
    return dataclasses.replace(record, **changes)


@pytest.fixture(params=["sql", "memory"])
def store(request: pytest.FixtureRequest, db: Database) -> RunStore:
    return SqlRunStore(db) if request.param == "sql" else MemoryRunStore()


async def test_only_the_users_active_top_level_runs_count(store: RunStore) -> None:
    active = [run(status=status) for status in (S.QUEUED, S.RUNNING, S.WAITING)]
    parent = active[1]
    others = [
        run(status=S.COMPLETED),
        run(status=S.FAILED),
        run(status=S.TERMINATED),
        run(status=S.RUNNING, parent_exec_id=parent.id),  # a sub-agent run is its parent's
        run("bob", status=S.RUNNING),
    ]
    for record in [*active, *others]:
        await store.create_graph_exec(record)

    fourth = run()
    assert await store.admit_graph_exec(fourth, 4) == 3
    assert await store.get_graph_exec(fourth.id) is not None
    refused = run()
    assert await store.admit_graph_exec(refused, 4) == 4
    assert await store.get_graph_exec(refused.id) is None
    assert await store.admit_graph_exec(run("bob"), 2) == 1  # per user

    fourth.status = S.COMPLETED
    await store.commit(Batch(graph_execs={fourth.id: fourth}))
    assert await store.admit_graph_exec(refused, 4) == 3  # a place came free
    assert await store.get_graph_exec(refused.id) is not None


async def test_a_duplicate_id_is_a_conflict(db: Database) -> None:
    store = SqlRunStore(db)
    record = run()
    await store.admit_graph_exec(record, LIMIT)
    with pytest.raises(ConflictError):
        await store.admit_graph_exec(record, LIMIT)


@pytest.fixture
async def second_process(database_url: str, db: Database) -> AsyncIterator[Database]:
    """A second connection pool (and SQLite writer) on the same database: another process."""
    other = await open_database(database_url)
    try:
        yield other
    finally:
        await other.close()


async def test_concurrent_admissions_from_two_processes_stop_at_the_limit(
    db: Database, second_process: Database
) -> None:
    stores = [SqlRunStore(db), SqlRunStore(second_process)]
    records = [run() for _ in range(LIMIT + 5)]
    counts = await asyncio.gather(
        *(stores[i % 2].admit_graph_exec(r, LIMIT) for i, r in enumerate(records))
    )
    admitted = [r.id for r, count in zip(records, counts, strict=True) if count < LIMIT]
    assert len(admitted) == LIMIT and sorted(counts) == [*range(LIMIT), *[LIMIT] * 5]
    stored = await ExecutionRepo(db).list("ann")
    assert sorted(r.id for r in stored) == sorted(admitted)

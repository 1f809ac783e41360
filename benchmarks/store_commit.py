"""Micro-benchmark of ``SqlRunStore.commit``, the engine's group commit.

Prints commits per second and node-execution rows per second for batches of 1, 16 and 256
node executions (plus their graph execution), on SQLite and, when the server answers, on
PostgreSQL. Each commit writes fresh node executions with realistic inputs and outputs,
the way a busy engine does; half of the batch is then updated again (completion), so both
the insert and the update side of the upsert are measured.

    .venv/bin/python benchmarks/store_commit.py [--seconds 2] [--postgres URL | --no-postgres]
"""

import argparse
import asyncio
import socket
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from blockyard.engine.ports import Batch, GraphExecRecord, NodeExecRecord
from blockyard.engine.states import ExecutionStatus as S
from blockyard.store.db import Database, open_database
from blockyard.store.executions import SqlRunStore

BATCH_SIZES = (1, 16, 256)
DEFAULT_POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"


@dataclass(frozen=True, slots=True)
class Result:
    database: str
    batch: int
    commits: int
    seconds: float

    @property
    def commits_per_second(self) -> float:
        return self.commits / self.seconds

    @property
    def rows_per_second(self) -> float:
        return self.commits * self.batch / self.seconds

    def line(self) -> str:
        per_row_ms = 1000 / self.rows_per_second
        return (
            f"{self.database:<10} batch {self.batch:>4}: {self.commits_per_second:>9,.0f} commits/s"
            f"  {self.rows_per_second:>10,.0f} rows/s  ({per_row_ms:.4f} ms per row)"
        )


def _node(graph_exec_id: str, seq: int) -> NodeExecRecord:
    return NodeExecRecord(
        id=str(uuid.uuid4()),
        graph_exec_id=graph_exec_id,
        node_id=f"node-{seq % 50}",
        block_id="1f292d4a-41a4-4977-9684-7c8d560b9f91",
        status=S.RUNNING,
        input_data={"text": f"input number {seq}", "options": {"n": seq, "tags": ["a", "b"]}},
        seq=seq,
        added_at=time.time(),
        queued_at=time.time(),
        started_at=time.time(),
    )


def _batch(run: GraphExecRecord, size: int, first_seq: int) -> Batch:
    nodes = [_node(run.id, first_seq + i) for i in range(size)]
    for node in nodes[: max(1, size // 2)]:
        node.status, node.end_seq, node.ended_at = S.COMPLETED, node.seq, time.time()
        node.output_data = {"result": [f"output of {node.seq}"]}
    run.event_seq = first_seq + size
    return Batch({run.id: run}, {n.id: n for n in nodes})


async def measure(db: Database, name: str, size: int, seconds: float) -> Result:
    store = SqlRunStore(db)
    run = GraphExecRecord(
        id=str(uuid.uuid4()), graph_id="g", graph_version=1, user_id="bench", status=S.RUNNING
    )
    await store.create_graph_exec(run)
    seq = 0
    for _ in range(5):  # warm up connections and statement caches
        await store.commit(_batch(run, size, seq))
        seq += size
    commits, busy, start = 0, 0.0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        batch = _batch(run, size, seq)  # building the records is the engine's cost, not timed
        began = time.perf_counter()
        await store.commit(batch)
        busy += time.perf_counter() - began
        seq += size
        commits += 1
    return Result(name, size, commits, busy)


async def run_on(url: str, name: str, seconds: float) -> list[Result]:
    db = await open_database(url)
    try:
        return [await measure(db, name, size, seconds) for size in BATCH_SIZES]
    finally:
        await db.close()


async def sqlite_results(seconds: float) -> list[Result]:
    with tempfile.TemporaryDirectory() as folder:
        return await run_on(f"sqlite:///{Path(folder) / 'bench.db'}", "sqlite", seconds)


async def postgres_results(admin_url: str, seconds: float) -> list[Result]:
    import asyncpg

    url = make_url(admin_url)
    name = f"blockyard_bench_{uuid.uuid4().hex[:8]}"
    connect = {"host": url.host, "port": url.port or 5432, "user": url.username}
    admin = await asyncpg.connect(**connect, password=url.password, database=url.database)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        try:
            target = url.set(drivername="postgresql+asyncpg", database=name)
            return await run_on(target.render_as_string(hide_password=False), "postgresql", seconds)
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


def _reachable(url: str) -> bool:
    parsed = make_url(url)
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((parsed.host or "127.0.0.1", parsed.port or 5432)) == 0


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="per batch size")
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES, help="an admin URL")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    for result in await sqlite_results(args.seconds):
        print(result.line(), flush=True)
    if args.no_postgres:
        return
    if not _reachable(args.postgres):
        print(f"postgresql skipped: nothing listens at {make_url(args.postgres).host}")
        return
    for result in await postgres_results(args.postgres, args.seconds):
        print(result.line(), flush=True)


if __name__ == "__main__":
    asyncio.run(main())

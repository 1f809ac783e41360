"""Engine benchmarks: a chain, a fan-out and many concurrent runs, on each store.

Prints one table. ``overhead/node`` is the wall time per node execution minus the time of
calling the same block directly in a loop (input validation + the async generator), measured
in the same process just before; it is what the engine itself costs per node, persistence
included. Run it with ``make bench`` or
``python -m benchmarks.engine [--stores memory,sqlite,postgres]``.
"""

import argparse
import asyncio
import contextlib
import gc
import os
import resource
import statistics
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

from blockyard.blocks.context import BlockContext
from blockyard.blocks.maths import CalculatorBlock
from blockyard.blocks.registry import BlockRegistry, load_registry
from blockyard.engine.executor import Engine
from blockyard.engine.memory import MemoryBus, MemoryGraphSource, MemoryRunStore
from blockyard.engine.ports import RunStore
from blockyard.graph.model import Graph, Link, Node

CALC = CalculatorBlock.id
PG_ADMIN = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"


def chain(n: int) -> Graph:
    nodes = [Node(block_id=CALC, input_default={"operation": "Add", "a": 0, "b": 1})]
    links = []
    for _ in range(n - 1):
        node = Node(block_id=CALC, input_default={"operation": "Add", "b": 1})
        links.append(
            Link(source_id=nodes[-1].id, source_name="result", sink_id=node.id, sink_name="a")
        )
        nodes.append(node)
    return Graph(name=f"chain-{n}", nodes=nodes, links=links)


def fan_out(n: int) -> Graph:
    root = Node(block_id=CALC, input_default={"operation": "Add", "a": 0, "b": 1})
    nodes, links = [root], []
    for _ in range(n):
        leaf = Node(block_id=CALC, input_default={"operation": "Multiply", "b": 2})
        links.append(Link(source_id=root.id, source_name="result", sink_id=leaf.id, sink_name="a"))
        nodes.append(leaf)
    return Graph(name=f"fanout-{n}", nodes=nodes, links=links)


async def direct_cost(samples: int = 5000) -> float:
    """Seconds per direct block call: validate the input and drain the generator."""
    block = CalculatorBlock()
    ctx = BlockContext(user_id="bench")
    data = {"operation": "Add", "a": 1, "b": 1}
    start = time.perf_counter()
    for _ in range(samples):
        model = block.validate_input(data)
        async for _pin, _value in block.run(model, ctx):
            pass
    return (time.perf_counter() - start) / samples


@dataclass
class Result:
    scenario: str
    store: str
    nodes: int
    seconds: float
    commits: int
    peak_mb: float

    def row(self, baseline: float) -> list[str]:
        per_node = self.seconds / self.nodes
        return [
            self.scenario,
            self.store,
            f"{self.nodes:,}",
            f"{self.seconds * 1000:,.0f} ms",
            f"{per_node * 1e3:.4f} ms",
            f"{max(per_node - baseline, 0) * 1e3:.4f} ms",
            f"{self.nodes / self.seconds:,.0f}",
            f"{self.commits:,}",
            f"{self.peak_mb:.1f} MB",
        ]


StoreFactory = Callable[[], contextlib.AbstractAsyncContextManager[RunStore]]


@contextlib.asynccontextmanager
async def memory_store() -> AsyncIterator[RunStore]:
    yield MemoryRunStore()


@contextlib.asynccontextmanager
async def sql_store(url: str) -> AsyncIterator[RunStore]:
    from blockyard.store.db import open_database
    from blockyard.store.executions import SqlRunStore

    db = await open_database(url)
    try:
        yield SqlRunStore(db)
    finally:
        await db.close()


@contextlib.asynccontextmanager
async def sqlite_store() -> AsyncIterator[RunStore]:
    with tempfile.TemporaryDirectory() as tmp:
        async with sql_store(f"sqlite+aiosqlite:///{tmp}/bench.db") as store:
            yield store


@contextlib.asynccontextmanager
async def postgres_store() -> AsyncIterator[RunStore]:
    import asyncpg

    name = f"blockyard_bench_{os.getpid()}"
    admin = await asyncpg.connect(host="127.0.0.1", user="postgres", database="postgres")
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        async with sql_store(f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}") as store:
            yield store
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


STORES: dict[str, StoreFactory] = {
    "memory": memory_store,
    "sqlite": sqlite_store,
    "postgres": postgres_store,
}


async def measure(
    scenario: str, store_name: str, graphs: list[Graph], registry: BlockRegistry
) -> Result:
    async with STORES[store_name]() as store:
        source = MemoryGraphSource(*graphs)
        engine = Engine(registry, store, source, MemoryBus(), node_concurrency=256)
        gc.collect()
        rss_before = _rss()
        start = time.perf_counter()
        records = await asyncio.gather(*(engine.execute(g, "bench") for g in graphs))
        seconds = time.perf_counter() - start
        peak = max(_peak_rss() - rss_before, 0)
        assert all(r.status.value == "COMPLETED" for r in records), [r.error for r in records]
        commits = engine.committer.commits
        await engine.close()
    nodes = sum(len(g.nodes) for g in graphs)
    return Result(scenario, store_name, nodes, seconds, commits, peak / 1e6)


def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def scenarios(scale: float) -> list[tuple[str, Callable[[], list[Graph]]]]:
    n = max(10, int(1000 * scale))
    runs = max(2, int(200 * scale))
    return [
        (f"chain of {n}", lambda: [chain(n)]),
        (f"fan-out of {n}", lambda: [fan_out(n)]),
        (f"{runs} runs x 10 nodes", lambda: [chain(10) for _ in range(runs)]),
    ]


def print_table(rows: list[list[str]]) -> None:
    header = [
        "scenario",
        "store",
        "nodes",
        "wall",
        "per node",
        "overhead/node",
        "nodes/s",
        "commits",
        "peak RSS growth",
    ]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    line = "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))
    print(line)
    print("-" * len(line))
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))


async def main(store_names: list[str], scale: float, repeat: int) -> None:
    registry = load_registry(entry_point_packages=False)
    baseline = statistics.median([await direct_cost() for _ in range(3)])
    print(f"direct block call (validate + run), same process: {baseline * 1e3:.4f} ms per node\n")
    rows = []
    for store_name in store_names:
        for scenario, make in scenarios(scale):
            results = [await measure(scenario, store_name, make(), registry) for _ in range(repeat)]
            best = min(results, key=lambda r: r.seconds)
            rows.append(best.row(baseline))
    print_table(rows)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stores", default="memory,sqlite,postgres")
    parser.add_argument("--scale", type=float, default=1.0, help="shrink for a quick look")
    parser.add_argument("--repeat", type=int, default=3, help="best of N")
    args = parser.parse_args()
    asyncio.run(main(args.stores.split(","), args.scale, args.repeat))

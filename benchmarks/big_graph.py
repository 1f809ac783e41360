"""A 10,000-node agent: how long validation takes, and that it runs with memory growing
linearly (peak RSS growth per node at 2,500, 5,000 and 10,000 nodes, each in a fresh
subprocess so one size's garbage does not hide another's).

``python -m benchmarks.big_graph [--store memory|sqlite]``
"""

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time

from benchmarks.engine import STORES, _peak_rss, _rss, chain
from blockyard.blocks.registry import load_registry
from blockyard.graph.validate import validate_graph

SIZES = (2_500, 5_000, 10_000)


async def one_size(n: int, store_name: str) -> dict[str, float]:
    from blockyard.engine.executor import Engine
    from blockyard.engine.memory import MemoryBus, MemoryGraphSource

    registry = load_registry(entry_point_packages=False)
    graph = chain(n)
    start = time.perf_counter()
    problems = validate_graph(graph, registry)
    validate_s = time.perf_counter() - start
    assert not [p for p in problems if p.severity == "error"], problems[:3]
    base = _rss()
    async with STORES[store_name]() as store:
        engine = Engine(registry, store, MemoryGraphSource(graph), MemoryBus())
        start = time.perf_counter()
        record = await engine.execute(graph, "bench")
        run_s = time.perf_counter() - start
        assert record.status.value == "COMPLETED", record.error
        await engine.close()
    grown = max(_peak_rss() - base, 0)
    return {"nodes": n, "validate_s": validate_s, "run_s": run_s, "rss_mb": grown / 1e6}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--store", default="sqlite")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(asyncio.run(one_size(args.one, args.store))))
        return
    rows = []
    with tempfile.TemporaryDirectory():
        for n in SIZES:
            out = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "benchmarks.big_graph",
                    "--store",
                    args.store,
                    "--one",
                    str(n),
                ],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            rows.append(json.loads(out.strip().splitlines()[-1]))
    heads = ("nodes", 7), ("validate", 9), ("run", 9), ("per node", 9), ("RSS growth", 10)
    print("  ".join(f"{h:>{w}}" for h, w in heads) + f"  {'KB/node':>8}")
    for r in rows:
        print(
            f"{r['nodes']:>7,}  {r['validate_s'] * 1e3:>7.0f}ms  {r['run_s'] * 1e3:>7.0f}ms  "
            f"{r['run_s'] / r['nodes'] * 1e3:>7.3f}ms  {r['rss_mb']:>8.1f}MB  "
            f"{r['rss_mb'] * 1e3 / r['nodes']:>8.2f}"
        )


if __name__ == "__main__":
    main()

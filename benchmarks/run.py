"""Every benchmark, one after another (``make bench``). Each prints its own table."""

import subprocess
import sys

BENCHMARKS = (
    ("engine", []),
    ("big_graph", []),
    ("store_commit", []),
    ("runtime_bus", []),
    ("serve", []),
    ("frontend_open", []),
)


def main() -> int:
    failed = 0
    for name, args in BENCHMARKS:
        print(f"\n=== benchmarks.{name} ===", flush=True)
        result = subprocess.run([sys.executable, "-m", f"benchmarks.{name}", *args], check=False)
        failed += result.returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""How long a 500-node, 600-link agent takes to open in the editor and become interactive.

Starts ``blockyard serve`` on a free port with a fresh SQLite folder, saves the agent
through the API, then opens it in headless Chromium (Debian's, at /usr/bin/chromium) and
measures, from navigation start:

- first node: the first node card is on screen;
- all nodes: every node that the view shows is drawn (React Flow skips those out of view);
- interactive: a click on a node selects it and the canvas answers.

The target is interactive in under 2 s. Needs the built front end (``make frontend``).
Run: ``python -m benchmarks.frontend_open [--nodes 500 --links 600 --runs 3]``.
"""

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Page, sync_playwright

CALCULATOR = "b1ab9b19-67a6-406d-abf5-2dba76d00c79"
CHROMIUM = os.environ.get("BLOCKYARD_CHROMIUM", "/usr/bin/chromium")
TARGET_MS = 2000.0
WEB_INDEX = Path(__file__).resolve().parents[1] / "blockyard" / "web" / "index.html"


def big_agent(nodes: int, links: int) -> dict[str, Any]:
    """A grid of Calculator nodes: a chain on pin ``a``, then skip links on pin ``b``."""
    columns = 25
    graph_nodes = [
        {
            "id": f"n{i}",
            "block_id": CALCULATOR,
            "input_default": {"operation": "Add", "a": 1, "b": 1},
            "metadata": {"position": {"x": (i % columns) * 380, "y": (i // columns) * 440}},
        }
        for i in range(nodes)
    ]
    pairs = [(i, i + 1, "a") for i in range(nodes - 1)]
    pairs += [(i, i + 2, "b") for i in range(0, nodes - 2, 2)][: max(0, links - len(pairs))]
    graph_links = [
        {"source_id": f"n{a}", "sink_id": f"n{b}", "source_name": "result", "sink_name": pin}
        for a, b, pin in pairs[:links]
    ]
    name = f"Benchmark {nodes} nodes"
    return {"name": name, "description": "", "nodes": graph_nodes, "links": graph_links}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "BLOCKYARD_DATA_DIR": str(data_dir)}
    env.pop("BLOCKYARD_DATABASE_URL", None)
    env.pop("BLOCKYARD_REDIS_URL", None)
    log = open(data_dir / "server.log", "ab")  # noqa: SIM115 - the child keeps the descriptor
    proc = subprocess.Popen(
        [sys.executable, "-m", "blockyard.cli", "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("the server did not start; see server.log")


def save_agent(base: str, agent: dict[str, Any]) -> tuple[dict[str, Any], str]:
    with httpx.Client(base_url=base, timeout=60) as client:
        account = {"email": "bench@example.com", "password": "benchmark password"}
        client.post("/api/auth/register", json=account).raise_for_status()
        tokens = client.post("/api/auth/login", json=account).raise_for_status().json()
        headers = {"Authorization": f"Bearer {tokens['access_token']}"}
        saved = client.post("/api/graphs", json={"graph": agent}, headers=headers)
        saved.raise_for_status()
        return tokens, saved.json()["id"]


def measure_open(page: Page, base: str, graph_id: str, nodes: int) -> dict[str, float]:
    page.goto(f"{base}/agents")  # warm: the app's code and the block list are cached
    page.wait_for_selector("[data-testid=agents-table]")
    page.goto(f"{base}/agents/{graph_id}")
    first = page.wait_for_function(
        "() => document.querySelector('.react-flow__node .block-node') && performance.now()",
        timeout=60_000,
    ).json_value()
    drawn = page.wait_for_function(
        """(n) => {
            const shown = document.querySelectorAll('.react-flow__node .block-node').length;
            return (shown >= n || shown > 0 && document.querySelector('.react-flow__renderer'))
                && performance.now();
        }""",
        arg=nodes,
        timeout=60_000,
    ).json_value()
    point = page.evaluate(
        """() => {
            const canvas = document.querySelector('.react-flow').getBoundingClientRect();
            for (const title of document.querySelectorAll('.react-flow__node .node-title')) {
                const r = title.getBoundingClientRect();
                const x = r.left + Math.min(r.width / 2, 20), y = r.top + r.height / 2;
                if (x > canvas.left + 20 && x < canvas.right - 220 && y > canvas.top + 20
                    && y < canvas.bottom - 180) return {x, y};
            }
            return null;
        }"""
    )
    assert point is not None, "no node title inside the visible canvas"
    page.mouse.click(point["x"], point["y"])
    interactive = page.wait_for_function(
        "() => document.querySelector('.react-flow__node.selected') && performance.now()",
        timeout=60_000,
    ).json_value()
    rendered = page.locator(".react-flow__node").count()
    return {"first": first, "drawn": drawn, "interactive": interactive, "rendered": rendered}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=500)
    parser.add_argument("--links", type=int, default=600)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if not WEB_INDEX.is_file():
        print("the front end is not built: run `make frontend` first", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as folder:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_server(Path(folder), port)
        try:
            tokens, graph_id = save_agent(base, big_agent(args.nodes, args.links))
            results = run_browser(base, tokens, graph_id, args)
        finally:
            server.terminate()
            server.wait(10)
    return report(results, args)


def run_browser(
    base: str, tokens: dict[str, Any], graph_id: str, args: argparse.Namespace
) -> list[dict[str, float]]:
    results = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        for _ in range(args.runs):
            context = browser.new_context(viewport={"width": 1440, "height": 900})
            session = json.dumps(json.dumps(tokens))
            context.add_init_script(f"localStorage.setItem('blockyard.session', {session})")
            results.append(measure_open(context.new_page(), base, graph_id, args.nodes))
            context.close()
        browser.close()
    return results


def report(results: list[dict[str, float]], args: argparse.Namespace) -> int:
    runs = len(results)
    print(f"agent: {args.nodes} nodes, {args.links} links; {runs} runs in headless Chromium")
    print(f"{'measure':<28}{'median ms':>12}{'worst ms':>12}")
    measures = (
        ("first", "first node on screen"),
        ("drawn", "nodes in view drawn"),
        ("interactive", "interactive (node selected)"),
    )
    for key, label in measures:
        values = [r[key] for r in results]
        print(f"{label:<28}{statistics.median(values):>12.0f}{max(values):>12.0f}")
    print(f"node cards drawn in view: {int(results[-1]['rendered'])} of {args.nodes}")
    worst = max(r["interactive"] for r in results)
    verdict = "within" if worst < TARGET_MS else "OVER"
    print(f"open-to-interactive worst {worst:.0f} ms: {verdict} the {TARGET_MS:.0f} ms target")
    return 0 if worst < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())

"""``blockyard serve``: time until healthy, idle memory, memory under and after load.

A bare FastAPI app under uvicorn is started the same way in the same run as the baseline,
so the ratios say what Blockyard adds. Load: 200 runs of examples/hello.json through the
REST API on 127.0.0.1 (bounded in count), then the server idles for a few seconds.

``python -m benchmarks.serve``
"""

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
BARE_APP = (
    "from fastapi import FastAPI\n"
    "app = FastAPI()\n"
    "@app.get('/health')\n"
    "def health() -> dict[str, str]:\n"
    "    return {'status': 'ok'}\n"
)


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], start: float) -> float:
    while time.perf_counter() - start < 60:
        if proc.poll() is not None:
            raise RuntimeError("server exited")
        try:
            if httpx.get(f"{url}/health", timeout=0.5).status_code == 200:
                return time.perf_counter() - start
        except httpx.TransportError:
            time.sleep(0.01)
    raise RuntimeError("server never became healthy")


def start(cmd: list[str], env: dict[str, str], port: int) -> tuple[subprocess.Popen[bytes], float]:
    start_at = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return proc, _wait_healthy(f"http://127.0.0.1:{port}", proc, start_at)


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


def load(url: str, runs: int) -> float:
    with httpx.Client(base_url=url, timeout=30) as client:
        creds = {"email": "bench@example.com", "password": "benchmark password"}
        client.post("/api/auth/register", json=creds)
        token = client.post("/api/auth/login", json=creds).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        agent = json.loads((ROOT / "examples" / "hello.json").read_text())
        graph = client.post("/api/graphs", json={"graph": agent}, headers=headers).json()
        path = f"/api/graphs/{graph['id']}/execute/{graph['version']}"
        started = time.perf_counter()
        ids = [
            client.post(path, json={"inputs": {"name": f"n{i}"}}, headers=headers).json()["id"]
            for i in range(runs)
        ]
        for exec_id in ids:
            for _ in range(500):
                state = client.get(
                    f"/api/graphs/{graph['id']}/executions/{exec_id}", headers=headers
                )
                if state.json()["status"] == "COMPLETED":
                    break
                time.sleep(0.01)
        return time.perf_counter() - started


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        bare_port, by_port = _port(), _port()
        (Path(tmp) / "bare_app.py").write_text(BARE_APP)
        env = {**os.environ, "PYTHONPATH": tmp}
        bare, bare_s = start(
            [sys.executable, "-m", "uvicorn", "bare_app:app", "--port", str(bare_port)],
            env,
            bare_port,
        )
        time.sleep(1)
        bare_mb = _rss_mb(bare.pid)
        stop(bare)

        env = {**os.environ, "BLOCKYARD_DATA_DIR": f"{tmp}/data"}
        cmd = [sys.executable, "-m", "blockyard.cli", "serve", "--port", str(by_port)]
        first, first_s = start(cmd, env, by_port)  # creates and migrates the database
        stop(first)
        proc, warm_s = start(cmd, env, by_port)
        time.sleep(1)
        idle_mb = _rss_mb(proc.pid)
        load_s = load(f"http://127.0.0.1:{by_port}", 200)
        loaded_mb = _rss_mb(proc.pid)
        time.sleep(5)
        after_mb = _rss_mb(proc.pid)
        stop(proc)

    print(f"{'':34}{'blockyard':>12}{'bare FastAPI':>14}{'ratio':>8}")
    for label, seconds in (("first start", first_s), ("warm", warm_s)):
        row = f"healthy after start ({label})"
        print(f"{row:34}{seconds:>11.2f}s{bare_s:>13.2f}s{seconds / bare_s:>8.1f}")
    print(f"{'idle RSS':34}{idle_mb:>10.0f}MB{bare_mb:>12.0f}MB{idle_mb / bare_mb:>8.1f}")
    print(f"{'RSS after 200 runs':34}{loaded_mb:>10.0f}MB")
    print(f"{'RSS 5 s later':34}{after_mb:>10.0f}MB")
    print(f"{'200 runs through the API':34}{load_s:>11.2f}s")


if __name__ == "__main__":
    main()

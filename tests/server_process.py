"""A real ``blockyard serve`` in a subprocess, on a free port with its own data folder.

Shared by the durability test (which kills it) and the browser tests (one per session).
"""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServeProcess:
    def __init__(self, data_dir: Path, env: dict[str, str] | None = None) -> None:
        """``env``: settings for this server (``BLOCKYARD_*`` variables) on top of ours."""
        self.data_dir = data_dir
        self.env = dict(env or {})
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30.0) -> None:
        """Start it on SQLite in ``data_dir`` and wait until ``/health`` answers."""
        env = {**os.environ, "BLOCKYARD_DATA_DIR": str(self.data_dir)}
        for name in ("BLOCKYARD_DATABASE_URL", "BLOCKYARD_REDIS_URL"):
            env.pop(name, None)
        env.update(self.env)
        with open(self.data_dir / "server.log", "ab") as log:  # the child keeps its own fd
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "blockyard.cli", "serve", "--port", str(self.port)],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.log()
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        raise AssertionError(f"server did not become healthy\n{self.log()}")

    def kill(self) -> None:
        """SIGKILL: the process gets no chance to clean up (a crash)."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)

    def log(self) -> str:
        path = self.data_dir / "server.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

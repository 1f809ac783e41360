"""The Python sandbox: results as JSON, and every escape attempt ends in a clear error."""

import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from blockyard.blocks import seccomp
from blockyard.blocks.code import ExecutePythonCodeBlock
from blockyard.blocks.testing import run_block

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0, reason="the isolated sandbox needs root (see docs/sandbox.md)"
)
BLOCK = ExecutePythonCodeBlock()


async def run(code: str, **inputs: Any) -> dict[str, list[Any]]:
    return await run_block(BLOCK, {"code": code, "inputs": inputs, "timeout": 1})


@pytest.fixture
def listener() -> Iterator[int]:
    """A server socket on loopback that the sandbox must not reach."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


async def test_inputs_in_result_and_prints_out() -> None:
    code = (
        "import statistics\nprint('n =', len(inputs['xs']))\n"
        "result = {'mean': statistics.mean(inputs['xs']), 's': {3, 1}}"
    )
    out = await run(code, xs=[1, 2, 3, 6])
    assert out == {"result": [{"mean": 3, "s": [1, 3]}], "stdout": ["n = 4\n"]}


async def test_dynamic_input_pins_reach_the_code() -> None:
    out = await run_block(
        BLOCK, {"code": "result = inputs['name'].upper()", "inputs_#_name": "ada"}
    )
    assert out == {"result": ["ADA"]}


async def test_syntax_and_runtime_errors_name_the_line() -> None:
    assert await run("x = (1,") == {"error": ["SyntaxError: '(' was never closed (line 1)"]}
    assert await run("a = 1\nb = c") == {"error": ["NameError: name 'c' is not defined (line 2)"]}


async def test_no_network(listener: int, monkeypatch: pytest.MonkeyPatch) -> None:
    code = f"import socket\ns = socket.socket()\ns.connect(('127.0.0.1', {listener}))"
    assert await run(code) == {"error": ["PermissionError: [Errno 13] Permission denied (line 2)"]}
    # Without the seccomp layer (see test_code_seccomp.py) the network namespace still holds.
    monkeypatch.setattr(seccomp, "LIBRARY", "libseccomp-missing.so.2")
    monkeypatch.setenv("BLOCKYARD_SANDBOX_ALLOW_UNISOLATED", "true")
    assert await run(code) == {"error": ["OSError: [Errno 101] Network is unreachable (line 3)"]}


async def test_no_server_files(tmp_path: Path) -> None:
    secret = tmp_path / "data" / "secret.key"
    secret.parent.mkdir()
    secret.write_text("k")
    secret.chmod(0o644)
    for path in ("/etc/shadow", "/etc/passwd", str(secret), "/proc/self/environ"):
        out = await run(f"result = open({path!r}).read()")
        assert out["error"][0].startswith("FileNotFoundError"), path
    assert await run("import os\nresult = sorted(os.listdir('/'))") == {"result": [["tmp"]]}


async def test_no_way_back_out_of_the_chroot() -> None:
    out = await run("import os\nos.mkdir('x')\nos.chroot('x')")
    assert out == {"error": ["PermissionError: [Errno 1] Operation not permitted: 'x' (line 3)"]}


async def test_no_environment_or_privileges() -> None:
    out = await run("import os\nresult = [sorted(os.environ), os.getuid(), os.getgid()]")
    assert out == {"result": [[["LC_CTYPE"], 65534, 65534]]}


async def test_fork_bomb_fails_at_once() -> None:
    out = await run("import os\nwhile True:\n    os.fork()")
    assert out == {
        "error": ["BlockingIOError: [Errno 11] Resource temporarily unavailable (line 3)"]
    }


async def test_two_gigabytes_is_out_of_memory() -> None:
    out = await run("x = bytearray(2 * 1024 ** 3)")
    assert out == {"error": ["The code ran out of memory (limit 256 MiB)"]}


@pytest.mark.parametrize("code", ["while True:\n    pass", "import time\ntime.sleep(60)"])
async def test_endless_code_is_stopped(code: str) -> None:
    out = await run_block(BLOCK, {"code": code, "timeout": 0.5})
    assert out == {"error": ["The code took longer than 0.5 seconds and was stopped"]}


async def test_timeout_is_capped_by_the_operator(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BLOCKYARD_SANDBOX_TIMEOUT_SECONDS", "0.3")
    out = await run_block(BLOCK, {"code": "while True: pass", "timeout": 100})
    assert out == {"error": ["The code took longer than 0.3 seconds and was stopped"]}


async def test_disk_writes_are_bounded() -> None:
    out = await run("open('/tmp/big', 'wb').write(b'x' * (32 << 20))")
    assert out == {"error": ["OSError: [Errno 27] File too large (line 1)"]}


async def test_only_preloaded_modules_exist() -> None:
    out = await run("import subprocess")
    assert out["error"][0].startswith("ModuleNotFoundError: No module named 'subprocess' (line 1)")
    assert "The sandbox offers: array, base64" in out["error"][0]
    out = await run("import ctypes")  # used to build the sandbox, then dropped
    assert out["error"][0].startswith("ModuleNotFoundError: No module named 'ctypes' (line 1)")


async def test_exit_is_not_a_failure_unless_nonzero() -> None:
    assert await run("import sys\nresult = 1\nsys.exit(0)") == {"result": [1]}
    assert await run("import sys\nsys.exit(3)") == {"error": ["The code exited with status 3"]}


async def test_unisolated_runs_need_the_operator(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    out = await run("result = 1")
    assert out["error"][0].startswith("Code execution is off on this server")
    monkeypatch.setenv("BLOCKYARD_SANDBOX_ALLOW_UNISOLATED", "true")
    assert await run("result = 1") == {"result": [1]}

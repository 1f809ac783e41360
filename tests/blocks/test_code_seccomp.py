"""The sandbox's seccomp layer: dangerous system calls fail, ordinary snippets do not notice.

Each refusal here is something the code could do without the filter (a socket of another
family, a signal to another process, a call made through the ``ctypes`` classes that stay
reachable from ``object.__subclasses__()``), so these tests fail when the filter is gone.
"""

import ctypes
import os
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from blockyard.blocks import code, seccomp
from blockyard.blocks.code import ExecutePythonCodeBlock
from blockyard.blocks.testing import run_block

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or seccomp.unavailable() is not None,
    reason="the isolated sandbox needs root and libseccomp (see docs/sandbox.md)",
)
BLOCK = ExecutePythonCodeBlock()
FORBIDDEN = "The code made a system call the sandbox forbids and was stopped"
RECOVER_CTYPES = """
def subclasses(cls, seen):
    for sub in type.__subclasses__(cls):
        if sub not in seen:
            seen.add(sub)
            subclasses(sub, seen)
    return seen
cdll = [c for c in subclasses(object, set()) if c.__name__ == "CDLL"][0]
libc = cdll(None, use_errno=True)
errno = cdll.__init__.__globals__["get_errno"]
"""
"""Finds ``ctypes.CDLL`` again although the sandbox dropped the module: any call is open."""


async def run(code: str) -> dict[str, list[Any]]:
    return await run_block(BLOCK, {"code": code, "timeout": 5})


def syscall_number(name: str) -> int:
    """The number of ``name`` on this machine's architecture, as libseccomp knows it."""
    number = ctypes.CDLL(seccomp.LIBRARY).seccomp_syscall_resolve_name(name.encode())
    assert number >= 0, name
    return int(number)


@pytest.fixture
def sleeper() -> Iterator[subprocess.Popen[bytes]]:
    """A process of the sandbox's user, as another run (or a host daemon) would be."""
    proc = subprocess.Popen(["sleep", "60"], user=65534, group=65534)
    yield proc
    proc.kill()
    proc.wait()


async def test_ordinary_snippets_still_work() -> None:
    snippet = (
        "import datetime, hashlib, json, math, os, random, re, socket, struct, uuid, zlib\n"
        "a, b = socket.socketpair()\n"
        "a.sendall(b'ping')\n"
        "os.kill(os.getpid(), 0)\n"
        "print(datetime.datetime.now().year > 2000)\n"
        "result = [math.factorial(5), json.loads('[1]'), re.findall('[0-9]', 'a1b2'),\n"
        "    random.Random(1).randint(0, 9), hashlib.sha256(b'').hexdigest()[:8],\n"
        "    len(str(uuid.uuid4())), b.recv(4).decode(), struct.pack('>H', 1).hex(),\n"
        "    zlib.crc32(b'x'), datetime.date(2024, 2, 29).isoformat()]"
    )
    assert await run(snippet) == {
        "result": [
            [120, [1], ["1", "2"], 2, "e3b0c442", 36, "ping", "0001", 2363233923, "2024-02-29"]
        ],
        "stdout": ["True\n"],
    }


@pytest.mark.parametrize(
    "family", ["AF_INET, socket.SOCK_STREAM", "AF_INET6, socket.SOCK_DGRAM", "AF_NETLINK, 3"]
)
async def test_sockets_other_than_unix_are_refused(family: str) -> None:
    out = await run(f"import socket\nsocket.socket(socket.{family})")
    assert out == {"error": ["PermissionError: [Errno 13] Permission denied (line 2)"]}


async def test_other_processes_cannot_be_signalled(sleeper: subprocess.Popen[bytes]) -> None:
    out = await run(f"import os\nos.kill({sleeper.pid}, 9)")
    assert out == {"error": ["PermissionError: [Errno 1] Operation not permitted (line 2)"]}
    assert sleeper.poll() is None


async def test_the_worst_calls_stop_the_process_even_through_ctypes() -> None:
    assert await run(RECOVER_CTYPES + "result = libc.ptrace(0, 0, 0, 0)") == {"error": [FORBIDDEN]}
    pid = "libc.getpid()"
    reader = f"result = libc.process_vm_readv({pid}, None, 0, None, 0, 0)"
    assert await run(RECOVER_CTYPES + reader) == {"error": [FORBIDDEN]}


@pytest.mark.parametrize(
    ("call", "errno"),
    [
        ("libc.personality(0xFFFFFFFF)", 1),
        ("libc.syscall({clone3}, 0, 0)", 38),  # ENOSYS, so that glibc falls back to clone
        ("libc.syscall({clone}, 0x40000000 | 17, 0, 0, 0, 0)", 1),  # CLONE_NEWNET
    ],
)
async def test_other_dangerous_calls_fail_through_ctypes(call: str, errno: int) -> None:
    numbers = {name: syscall_number(name) for name in ("clone", "clone3")}
    snippet = RECOVER_CTYPES + f"result = [{call.format(**numbers)}, errno()]"
    assert await run(snippet) == {"result": [[-1, errno]]}


async def test_missing_seccomp_needs_the_operator(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(seccomp, "LIBRARY", "libseccomp-missing.so.2")
    out = await run("result = 1")
    assert out["error"][0].startswith(
        "Code execution is off on this server: the seccomp layer is unavailable: "
        "libseccomp-missing.so.2 cannot be loaded"
    )
    monkeypatch.setenv("BLOCKYARD_SANDBOX_ALLOW_UNISOLATED", "true")
    snippet = "import os, socket\nresult = [os.listdir('/'), socket.socket().family]"
    assert await run(snippet) == {"result": [[["tmp"], 2]]}


async def test_a_filter_that_cannot_be_built_fails_closed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    broken = {**seccomp.policy(), "rules": [[0x50001, "socket", [9, 1, 0, 0]]]}
    monkeypatch.setattr(code, "policy", lambda: broken)
    assert await run("result = 1") == {
        "error": [
            "The sandbox could not be set up: seccomp: the rule for socket was refused "
            "(Invalid argument)"
        ]
    }

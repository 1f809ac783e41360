"""Run a builder's Python code in a sandbox: its own process, no network, no server files.

The threat model and what each layer stops are in ``docs/sandbox.md``. In short, each run
is a fresh ``python -I -S`` process (no site-packages, no environment variables, no
inherited descriptors) running :func:`_sandbox_main`, which, before the user's code
starts, when the server runs as root:

1. enters new network and mount namespaces (only a loopback interface that is down);
2. mounts a small tmpfs, ``chroot``s into it and drops to the unprivileged user ``nobody``
   (so no server file, database, key or socket is visible, and there is no way back);
3. sets resource limits: address space, CPU seconds, open files, file size, and no new
   processes or threads (fork bombs fail at once);
4. sets ``PR_SET_NO_NEW_PRIVS`` and loads a seccomp filter (``blockyard/blocks/seccomp.py``,
   built before the ``chroot`` while libseccomp can still be opened) that denies the system
   calls a snippet never needs and kernel exploits favour, every socket but ``AF_UNIX``, and
   signals to any process but itself (this step needs no root: unisolated runs get it too).

Only modules imported before the ``chroot`` can be used (the list is ``PRELOADED``). Inputs
go in and results come out as JSON over pipes; the parent kills the process at the time
limit and caps what it reads. When a layer is missing (the server is not root, or the
machine has no seccomp) the server refuses to run code, naming the layer, unless the
operator opts in with ``BLOCKYARD_SANDBOX_ALLOW_UNISOLATED``: the run then gets the layers
the machine has (always the resource limits).
"""

import asyncio
import contextlib
import inspect
import json
import os
import shutil
import signal
import sys
import tempfile
from typing import Any

from blockyard.blocks.base import (
    ERROR_PIN,
    Block,
    BlockCategory,
    BlockOutput,
    BlockSchemaInput,
    BlockSchemaOutput,
    SchemaField,
)
from blockyard.blocks.context import BlockContext
from blockyard.blocks.seccomp import policy, prepare_filter, unavailable
from blockyard.settings import Settings

MAX_RESULT_BYTES = 8 * 1024 * 1024
PRELOADED = [
    *("array", "base64", "binascii", "bisect", "calendar", "collections", "copy", "csv"),
    *("dataclasses", "datetime", "decimal", "difflib", "enum", "fractions", "functools"),
    *("hashlib", "heapq", "hmac", "html", "itertools", "json", "math", "numbers", "operator"),
    *("pprint", "random", "re", "secrets", "socket", "statistics", "string", "struct"),
    *("textwrap", "time", "typing", "unicodedata", "urllib.parse", "uuid", "zlib"),
]
"""Modules a snippet may import: loaded before the chroot, nothing else can be found."""


def _confine(root: str) -> str | None:  # pragma: no cover - runs in the sandbox child
    """New network and mount namespaces, a tmpfs root, ``nobody``; the failed step, if any."""
    import ctypes
    import os

    libc = ctypes.CDLL(None, use_errno=True)
    ms_rec, ms_private, ms_nosuid, ms_nodev = 0x4000, 0x40000, 0x2, 0x4
    steps: list[tuple[str, Any]] = [
        ("unshare", lambda: libc.unshare(0x00020000 | 0x40000000)),  # CLONE_NEWNS | NEWNET
        ("mount", lambda: libc.mount(b"none", b"/", None, ms_rec | ms_private, None)),
        ("tmpfs", lambda: libc.mount(b"t", root.encode(), b"tmpfs", ms_nosuid | ms_nodev, None)),
    ]
    for label, step in steps:
        if step() != 0:
            return f"{label} failed: {os.strerror(ctypes.get_errno())}"
    os.chdir(root)
    os.mkdir("tmp")
    os.chmod("tmp", 0o1777)
    os.chroot(".")
    os.chdir("/tmp")
    os.setgroups([])
    os.setgid(65534)
    os.setuid(65534)
    return None


def _limit(limits: dict[str, int]) -> None:  # pragma: no cover - runs in the sandbox child
    """Memory, CPU seconds, file size and descriptors; no new processes or threads."""
    import resource

    for kind, soft, hard in (
        (resource.RLIMIT_CORE, 0, 0),
        (resource.RLIMIT_AS, limits["memory"], limits["memory"]),
        (resource.RLIMIT_CPU, limits["cpu"], limits["cpu"] + 1),
        (resource.RLIMIT_FSIZE, limits["fsize"], limits["fsize"]),
        (resource.RLIMIT_NOFILE, 32, 32),
        (resource.RLIMIT_NPROC, 0, 0),
    ):
        resource.setrlimit(kind, (soft, hard))


def _execute(request: dict[str, Any]) -> dict[str, Any]:  # pragma: no cover - in the child
    """Run the user's code; its result, or the error as one line a builder can read."""
    import builtins
    import io
    import sys
    import traceback

    out = io.StringIO()
    sys.stdout = sys.stderr = out
    scope: dict[str, Any] = {"__name__": "__main__", "__builtins__": builtins}
    scope.update(inputs=request["inputs"], result=None)
    outcome: dict[str, Any] = {}
    try:
        exec(compile(request["code"], "<code>", "exec"), scope)
    except SystemExit as exc:
        if exc.code not in (None, 0):
            outcome["error"] = f"The code exited with status {exc.code}"
    except MemoryError:
        scope.clear()
        mib = request["limits"]["memory"] // (1024 * 1024)
        outcome["error"] = f"The code ran out of memory (limit {mib} MiB)"
    except BaseException as exc:
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == "<code>"]
        where = f" (line {frames[-1].lineno})" if frames else ""
        outcome["error"] = traceback.format_exception_only(exc)[-1].strip() + where
        if isinstance(exc, SyntaxError):
            outcome["error"] = f"SyntaxError: {exc.msg} (line {exc.lineno})"
        if isinstance(exc, ModuleNotFoundError):
            outcome["error"] += ". The sandbox offers: " + ", ".join(request["preload"])
    outcome["stdout"] = out.getvalue()[-65536:]
    if "error" not in outcome:
        outcome["result"] = scope.get("result")
    return outcome


def _sandbox_main() -> None:  # pragma: no cover - runs in the sandbox child
    """The child: read the request, confine itself, run the code, write one JSON object."""
    import contextlib
    import importlib
    import json
    import os
    import sys

    request = json.loads(sys.stdin.buffer.read())
    result_fd = os.dup(1)
    os.dup2(2, 1)
    for name in ("builtins", "io", "resource", "traceback", *request["preload"]):
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    load = prepare_filter(request["seccomp"]) if request["seccomp"] else None
    failed = f"seccomp: {load}" if isinstance(load, str) else None
    if failed is None and request["isolate"]:
        failed = _confine(request["root"])
    if failed is None:
        _limit(request["limits"])
        failed = f"seccomp: {error}" if callable(load) and (error := load()) else None
    for name in [m for m in sys.modules if m.startswith(("ctypes", "_ctypes"))]:
        del sys.modules[name]
    outcome = {"fatal": failed} if failed else _execute(request)
    data = json.dumps(outcome, default=lambda v: sorted(v) if isinstance(v, set) else str(v))
    view = memoryview(data.encode())
    while view:
        view = view[os.write(result_fd, view) :]
    os._exit(0)


RUNNER_SOURCE = "\n".join(
    [
        "from collections.abc import Callable",
        "from typing import Any",
        *(inspect.getsource(f) for f in (prepare_filter, _confine, _limit, _execute)),
        inspect.getsource(_sandbox_main),
        "_sandbox_main()",
    ]
)
"""The child's program: the functions above and the filter's, sent as ``python -I -S -c``."""


class SandboxUnavailableError(Exception):
    """The server cannot isolate code and the operator has not allowed running it anyway."""


def _layers(settings: Settings) -> tuple[bool, bool]:
    """Whether this run gets the namespaces (with chroot and ``nobody``) and the filter."""
    isolate = os.geteuid() == 0 and sys.platform == "linux"
    seccomp_missing = unavailable()
    missing = []
    if not isolate:
        missing.append(
            "it does not run as root, so the sandbox cannot cut the network or hide the "
            "server's files"
        )
    if seccomp_missing:
        missing.append(f"the seccomp layer is unavailable: {seccomp_missing}")
    if missing and not settings.sandbox_allow_unisolated:
        raise SandboxUnavailableError(
            f"Code execution is off on this server: {'; '.join(missing)}. An operator can "
            "allow it with BLOCKYARD_SANDBOX_ALLOW_UNISOLATED=true (see docs/sandbox.md)."
        )
    return isolate, seccomp_missing is None


async def run_sandboxed(
    code: str,
    inputs: dict[str, Any],
    *,
    timeout: float,  # noqa: ASYNC109 (a limit passed on to the child, not a wait)
    settings: Settings,
) -> dict[str, Any]:
    """Run ``code`` with ``inputs``; the runner's outcome (result, stdout, error)."""
    isolate, seccomp = _layers(settings)
    root = tempfile.mkdtemp(prefix="blockyard-sandbox-")
    memory = settings.sandbox_memory_mb * 1024 * 1024
    request = {
        "code": code,
        "inputs": inputs,
        "preload": PRELOADED,
        "isolate": isolate,
        "seccomp": policy() if seccomp else None,
        "root": root,
        "limits": {"memory": memory, "cpu": max(1, int(timeout + 0.999)), "fsize": 16 << 20},
    }
    payload = json.dumps(request, default=str).encode()
    try:
        return await _run_child(payload, root, timeout)
    finally:
        shutil.rmtree(root, ignore_errors=True)


async def _run_child(
    payload: bytes,
    cwd: str,
    timeout: float,  # noqa: ASYNC109 (the child's wall-clock limit)
) -> dict[str, Any]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-I",
        "-S",
        "-c",
        RUNNER_SOURCE,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
        env={},
        cwd=cwd,
        close_fds=True,
        start_new_session=True,
    )
    try:
        async with asyncio.timeout(timeout):
            assert proc.stdin is not None and proc.stdout is not None
            proc.stdin.write(payload)
            await proc.stdin.drain()
            proc.stdin.close()
            raw = await _read_capped(proc.stdout, MAX_RESULT_BYTES + 1)
            await proc.wait()
    except TimeoutError:
        return {"error": f"The code took longer than {timeout:g} seconds and was stopped"}
    finally:
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            await proc.wait()
    return _outcome(raw, proc.returncode)


async def _read_capped(stream: asyncio.StreamReader, limit: int) -> bytes:
    """Read to the end, but never more than ``limit`` bytes."""
    chunks: list[bytes] = []
    size = 0
    while size < limit and (chunk := await stream.read(min(65536, limit - size))):
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _outcome(raw: bytes, returncode: int | None) -> dict[str, Any]:
    if len(raw) > MAX_RESULT_BYTES:
        return {"error": f"The code's result is larger than {MAX_RESULT_BYTES:,} bytes"}
    if returncode == -signal.SIGXCPU:
        return {"error": "The code used more CPU time than allowed and was stopped"}
    if returncode == -signal.SIGSYS:
        return {"error": "The code made a system call the sandbox forbids and was stopped"}
    try:
        outcome: dict[str, Any] = json.loads(raw)
    except ValueError:
        return {"error": f"The code ended without a result (exit status {returncode})"}
    if "fatal" in outcome:
        return {"error": f"The sandbox could not be set up: {outcome['fatal']}"}
    return outcome


class ExecutePythonCodeBlock(Block):
    id = "0cf4b5b4-2c9b-4c7f-9f66-5a1f7b3c9e21"
    description = (
        "Runs a short Python snippet in a sandbox (no network, no files of the server, "
        "limited time and memory). Your code gets `inputs` (a dictionary); whatever you "
        "assign to `result` comes out on the result pin, and print() output on stdout."
    )
    categories = frozenset({BlockCategory.DEVELOPER_TOOLS})

    class Input(BlockSchemaInput):
        code: str = SchemaField(
            description="Python 3 code. Read `inputs`, set `result`.",
            placeholder="result = inputs['a'] * 2",
            json_schema_extra={"format": "python"},
        )
        inputs: dict[str, Any] = SchemaField(
            default_factory=dict,
            description="Values for the code, as the dictionary `inputs` (JSON data).",
        )
        timeout: float = SchemaField(
            default=10.0,
            gt=0,
            description="Seconds before the code is stopped (at most the server's limit).",
        )

    class Output(BlockSchemaOutput):
        result: Any = SchemaField(description="The value the code assigned to `result`.")
        stdout: str = SchemaField(description="What the code printed, when it printed.")

    test_input = [
        {"code": "result = inputs['a'] + inputs['b']", "inputs": {"a": 2, "b": 3}},
        {"code": "print('hi')\nresult = 1 / 0"},
    ]
    test_output = [
        ("result", 5),
        ("stdout", "hi\n"),
        ("error", "ZeroDivisionError: division by zero (line 2)"),
    ]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        settings = Settings()
        timeout = min(input_data.timeout, settings.sandbox_timeout_seconds)
        try:
            outcome = await run_sandboxed(
                input_data.code, input_data.inputs, timeout=timeout, settings=settings
            )
        except SandboxUnavailableError as exc:
            yield ERROR_PIN, str(exc)
            return
        if "result" in outcome:
            yield "result", outcome["result"]
        if outcome.get("stdout"):
            yield "stdout", outcome["stdout"]
        if "error" in outcome:
            yield ERROR_PIN, outcome["error"]

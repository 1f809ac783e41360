"""The code sandbox's last layer: a seccomp filter that keeps the kernel's attack surface small.

Namespaces, the chroot and ``nobody`` (``blockyard/blocks/code.py``) hide the server, but
they leave every system call of the kernel in reach, and a snippet can get arbitrary ones:
the ``ctypes`` classes stay reachable through ``object.__subclasses__()`` even after the
module is gone from ``sys.modules``. A kernel bug behind a rarely used call (``bpf``,
``io_uring``, ``userfaultfd``, keyrings, new mounts, namespaces...) would then be an escape.
This filter denies those calls before the user's code starts (``docs/sandbox.md`` lists
them). It is a deny-list over an "allow" default: CPython needs a long, version-dependent
list of ordinary calls (memory, files in the chroot, clocks, ``getrandom``, futexes), and
an allow-list that misses one breaks snippets in ways nobody can read.

There are two halves:

* the server: :func:`unavailable` says whether this machine can filter at all, and
  :func:`policy` gives the rules as JSON data;
* the sandbox child: :func:`prepare_filter` loads libseccomp and builds the filter while
  the library's file can still be opened (before the ``chroot``), and the step it returns
  sets ``PR_SET_NO_NEW_PRIVS`` and loads the filter, the very last thing before the code.

The binding is a few ctypes declarations written here rather than a PyPI package: the child
is a ``python -I -S`` process whose program is sent as source text, so it sees no
site-packages, and ``pyseccomp`` (the ctypes binding on PyPI, last released in 2021) runs
``ctypes.util.find_library``, a subprocess, when imported.
"""

import ctypes
import errno
import platform
import socket
import sys
from collections.abc import Callable
from typing import Any

LIBRARY = "libseccomp.so.2"
"""The shared library the filter is built with (its soname since libseccomp 2.0)."""

ALLOW = 0x7FFF0000  # SCMP_ACT_ALLOW
KILL_PROCESS = 0x80000000  # SCMP_ACT_KILL_PROCESS: SIGSYS, needs API level 3 (Linux 4.14)
NOT_EQUAL, MASKED_EQUAL = 1, 7  # SCMP_CMP_NE, SCMP_CMP_MASKED_EQ

KILLED = [
    *("ptrace", "process_vm_readv", "process_vm_writev", "pidfd_getfd", "kcmp"),
    *("kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module"),
    *("bpf", "perf_event_open", "userfaultfd", "keyctl", "add_key", "request_key"),
    *("io_uring_setup", "io_uring_enter", "io_uring_register", "open_by_handle_at"),
    *("iopl", "ioperm", "modify_ldt", "lookup_dcookie", "uselib", "nfsservctl"),
]
"""Calls no Python snippet reaches without ``ctypes``, and exploits love: the process dies."""

REFUSED = [
    *("mount", "umount2", "pivot_root", "chroot", "move_mount", "open_tree", "fsopen"),
    *("fsconfig", "fsmount", "fspick", "mount_setattr", "unshare", "setns"),
    *("reboot", "swapon", "swapoff", "acct", "quotactl", "quotactl_fd", "name_to_handle_at"),
    *("personality", "syslog", "settimeofday", "clock_settime", "clock_adjtime", "adjtimex"),
    *("sethostname", "setdomainname", "vhangup", "fanotify_init", "process_madvise"),
    *("sysfs", "_sysctl", "ustat", "ioprio_set"),
]
"""Calls some module could make (``os.chroot``, ``time.clock_settime``...): EPERM, readable."""

NEW_NAMESPACE_FLAGS = [0x00020000, *(1 << bit for bit in range(25, 31))]
"""CLONE_NEWNS, CLONE_NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID and NEWNET."""

SIGNALLING = ["kill", "tkill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo", "pidfd_open"]
"""Calls whose first argument names a process: the sandbox may name only its own pid.

Every run is ``nobody``, so without this a snippet could ``os.kill(-1, 9)`` the other runs
(and any host process of that user). ``kill(0, ...)`` and ``kill(-pgid, ...)`` are refused
too: a seccomp rule compares one argument to one value, and libseccomp 2.5 cannot combine
two comparisons of the same argument."""

SELF_AS_ZERO = [
    *("prlimit64", "sched_setaffinity", "sched_setparam", "sched_setscheduler"),
    *("sched_setattr", "migrate_pages", "move_pages"),
]
"""Calls that change a process's limits, scheduling or memory: only ``0`` (this process),
which is what glibc and CPython pass; ``prlimit64(pid, ...)`` could lower another run's
limits."""


def unavailable() -> str | None:
    """Why this machine cannot filter system calls, or None when it can."""
    if sys.platform != "linux":
        return "seccomp exists only on Linux"
    try:
        lib = ctypes.CDLL(LIBRARY)
        level = int(lib.seccomp_api_get())
    except (OSError, AttributeError) as exc:
        return f"{LIBRARY} cannot be loaded ({exc})"
    if level < 3:
        return f"the kernel or libseccomp is too old (API level {level}; 3 is needed)"
    return None


def _errno(code: int) -> int:
    return 0x00050000 | code  # SCMP_ACT_ERRNO(code)


def policy() -> dict[str, Any]:
    """The filter as JSON data for the child.

    Each rule is ``[action, syscall name, condition]``; a condition is ``None`` (every
    call) or ``[argument, comparison, datum_a, datum_b]``, where a datum of ``"pid"``
    stands for the child's own pid. Rules on one call are alternatives: any match applies.
    """
    eperm = _errno(errno.EPERM)
    flags = 1 if platform.machine().startswith("s390") else 0  # clone(stack, flags) there
    rules: list[list[Any]] = [[KILL_PROCESS, name, None] for name in KILLED]
    rules += [[eperm, name, None] for name in REFUSED]
    rules.append([_errno(errno.ENOSYS), "clone3", None])  # glibc then falls back to clone
    rules += [[eperm, "clone", [flags, MASKED_EQUAL, flag, flag]] for flag in NEW_NAMESPACE_FLAGS]
    for name in ("socket", "socketpair"):
        rules.append([_errno(errno.EACCES), name, [0, NOT_EQUAL, int(socket.AF_UNIX), 0]])
    rules += [[eperm, name, [0, NOT_EQUAL, "pid", 0]] for name in SIGNALLING]
    rules += [[eperm, name, [0, NOT_EQUAL, 0, 0]] for name in SELF_AS_ZERO]
    rules.append([eperm, "setpriority", [0, NOT_EQUAL, 0, 0]])  # which: PRIO_PROCESS only
    rules.append([eperm, "setpriority", [1, NOT_EQUAL, 0, 0]])  # who: this process only
    return {"library": LIBRARY, "default": ALLOW, "rules": rules}


def prepare_filter(  # pragma: no cover - runs in the sandbox child
    spec: dict[str, Any],
) -> Callable[[], str | None] | str:
    """Build the filter of :func:`policy` now, while the library can still be opened.

    Returns why it failed instead, as text. The returned step sets ``PR_SET_NO_NEW_PRIVS``
    and loads the filter; it returns None, or what went wrong. Syscall names this
    libseccomp does not know are skipped: an older library than the kernel leaves them open.
    """
    import ctypes
    import os

    class ArgCmp(ctypes.Structure):  # struct scmp_arg_cmp
        _fields_ = [
            ("arg", ctypes.c_uint),
            ("op", ctypes.c_int),
            ("datum_a", ctypes.c_uint64),
            ("datum_b", ctypes.c_uint64),
        ]

    try:
        lib = ctypes.CDLL(spec["library"], use_errno=True)
    except OSError as exc:
        return f"{spec['library']} cannot be loaded ({exc})"
    prctl = ctypes.CDLL(None, use_errno=True).prctl
    lib.seccomp_init.restype = ctypes.c_void_p
    lib.seccomp_init.argtypes = [ctypes.c_uint32]
    lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
    lib.seccomp_rule_add_array.argtypes = [
        *(ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int, ctypes.c_uint),
        ctypes.POINTER(ArgCmp),
    ]
    lib.seccomp_load.argtypes = lib.seccomp_release.argtypes = [ctypes.c_void_p]
    ctx = lib.seccomp_init(spec["default"])
    if not ctx:
        return "seccomp_init failed"
    pid = os.getpid()
    for action, name, condition in spec["rules"]:
        number = lib.seccomp_syscall_resolve_name(name.encode())
        if number == -1:  # __NR_SCMP_ERROR
            continue
        args = []
        if condition is not None:
            arg, op, datum_a, datum_b = condition
            datum_a = pid if datum_a == "pid" else datum_a
            args.append(ArgCmp(arg, op, datum_a & 0xFFFFFFFFFFFFFFFF, datum_b))
        result = lib.seccomp_rule_add_array(ctx, action, number, len(args), (ArgCmp * 1)(*args))
        if result < 0:
            lib.seccomp_release(ctx)
            return f"the rule for {name} was refused ({os.strerror(-result)})"

    def load() -> str | None:
        """No new privileges, then the filter: from here on it applies to this process."""
        try:
            if prctl(38, 1, 0, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS
                return f"PR_SET_NO_NEW_PRIVS failed ({os.strerror(ctypes.get_errno())})"
            result = lib.seccomp_load(ctx)
            return None if result == 0 else f"seccomp_load failed ({os.strerror(-result)})"
        finally:
            lib.seccomp_release(ctx)

    return load

"""One synchronous SQLite connection in one dedicated thread: the fast write path.

Through aiosqlite every statement is a hop to a thread and back (about 0.3 ms per node in
a chain). The engine's group commit instead hands a whole batch, already turned into row
tuples, to this writer: one hop, then ``executemany`` upserts and a commit on a plain
:mod:`sqlite3` connection (WAL, ``synchronous=NORMAL``), about 0.03 ms per commit.

One thread owns the connection, so writes from this process are serialised here; the
async engine's connections still read (and write, for the rarer repository calls) in
parallel, with WAL and ``busy_timeout`` arbitrating.
"""

import asyncio
import sqlite3
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Protocol, TypeVar

T = TypeVar("T")

SQLITE_PRAGMAS: tuple[str, ...] = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
)
"""Applied to every connection, async or not (``busy_timeout`` is added by the caller)."""


def sqlite_pragmas(busy_timeout_ms: int) -> tuple[str, ...]:
    """``busy_timeout`` first, so the statements after it wait for a lock, not fail."""
    return (f"PRAGMA busy_timeout={int(busy_timeout_ms)}", *SQLITE_PRAGMAS)


class _Cursor(Protocol):
    def execute(self, sql: str) -> Any: ...

    def fetchone(self) -> Any: ...


def apply_sqlite_pragmas(cursor: _Cursor, busy_timeout_ms: int) -> None:
    """Set up one connection. Switching a new file to WAL takes a lock that SQLite does not
    wait for (no busy handler), so when several processes open a new database at once,
    all but one are refused: they retry until the file is in WAL mode (it stays so)."""
    deadline = time.monotonic() + max(busy_timeout_ms, 1000) / 1000
    for pragma in sqlite_pragmas(busy_timeout_ms):
        while True:
            try:
                cursor.execute(pragma)
                break
            except Exception as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                cursor.execute("PRAGMA journal_mode")  # someone else may have switched it
                if str(cursor.fetchone()[0]).lower() == "wal" and "journal_mode" in pragma:
                    break
                time.sleep(0.02)


class SqliteWriter:
    """Runs functions of a :class:`sqlite3.Connection` in the writer thread."""

    def __init__(self, path: Path, *, busy_timeout_ms: int) -> None:
        self._path = path
        self._busy_timeout_ms = busy_timeout_ms
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-writer")
        self._conn: sqlite3.Connection | None = None
        self._inline: sqlite3.Connection | None = None
        self._closed = False

    async def run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """``fn(connection)`` in the writer thread: one hop, whatever ``fn`` does."""
        if self._closed:
            raise RuntimeError("the SQLite writer is closed")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._call, fn)

    def _call(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        if self._conn is None:
            self._conn = self._connect()
        return fn(self._conn)

    def _connect(self) -> sqlite3.Connection:
        # isolation_level=None: no implicit transactions; callers write BEGIN IMMEDIATE.
        conn = sqlite3.connect(self._path, isolation_level=None, check_same_thread=True)
        apply_sqlite_pragmas(conn.cursor(), self._busy_timeout_ms)
        return conn

    def run_inline(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """``fn(connection)`` right here, on the event loop's own connection: no hop.

        For small writes only: a commit of a few rows takes tens of microseconds, less
        than the hop to the writer thread. The connection does not wait for a lock held
        by anyone else (``busy_timeout=0``): :class:`sqlite3.OperationalError` ("database
        is locked") then tells the caller to take the threaded path, which does wait.
        """
        if self._closed:
            raise RuntimeError("the SQLite writer is closed")
        if self._inline is None:
            self._inline = sqlite3.connect(self._path, isolation_level=None)
            apply_sqlite_pragmas(self._inline.cursor(), 0)
        return fn(self._inline)

    def _disconnect(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._inline is not None:
            self._inline.close()
            self._inline = None
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._executor, self._disconnect)
        self._executor.shutdown(wait=True)


def write_in_transaction(conn: sqlite3.Connection, fn: Callable[[sqlite3.Connection], T]) -> T:
    """Run ``fn`` inside ``BEGIN IMMEDIATE ... COMMIT`` (rolled back if it raises).

    IMMEDIATE takes the write lock up front, so a busy database waits ``busy_timeout``
    at the start instead of failing halfway through the batch.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        result = fn(conn)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return result

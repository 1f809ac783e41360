"""Running the ledger's SQL (:mod:`.ledger`) in a write transaction on either database.

SQLite: in the writer thread, on its plain :mod:`sqlite3` connection inside ``BEGIN
IMMEDIATE`` (the one write lock of the database, taken up front, so a read followed by a
write cannot fail halfway). PostgreSQL: on the async engine, the ledger's synchronous code
running through ``run_sync`` inside one transaction. The engine's group commit uses the
same two adapters inside its own transaction (:mod:`.run_backends`).
"""

import functools
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import Connection, TextClause, text

from blockyard.store.db import Database
from blockyard.store.ledger import Sql
from blockyard.store.sqlite_writer import write_in_transaction

T = TypeVar("T")


class SqliteSql:
    """:class:`~blockyard.store.ledger.Sql` on a :mod:`sqlite3` connection."""

    lock_suffix = ""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def rows(self, sql: str, params: Mapping[str, Any]) -> list[Sequence[Any]]:
        return self._conn.execute(sql, params).fetchall()

    def many(self, sql: str, params: Sequence[Mapping[str, Any]]) -> None:
        self._conn.executemany(sql, params)


@functools.cache
def _clause(sql: str) -> TextClause:
    return text(sql)


class AlchemySql:
    """:class:`~blockyard.store.ledger.Sql` on a SQLAlchemy connection (PostgreSQL)."""

    lock_suffix = " FOR UPDATE"

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def rows(self, sql: str, params: Mapping[str, Any]) -> list[Sequence[Any]]:
        result = self._conn.execute(_clause(sql), dict(params))
        return [tuple(row) for row in result] if result.returns_rows else []

    def many(self, sql: str, params: Sequence[Mapping[str, Any]]) -> None:
        self._conn.execute(_clause(sql), [dict(p) for p in params])


class LedgerDb:
    """``await write(fn)``: ``fn(sql)`` in one write transaction, committed when it returns
    and rolled back when it raises."""

    def __init__(self, db: Database) -> None:
        self._writer = db.sqlite_writer
        self._engine = db.engine

    async def write(self, fn: Callable[[Sql], T]) -> T:
        if self._writer is not None:
            return await self._writer.run(
                lambda conn: write_in_transaction(conn, lambda c: fn(SqliteSql(c)))
            )
        async with self._engine.begin() as conn:
            return await conn.run_sync(lambda c: fn(AlchemySql(c)))

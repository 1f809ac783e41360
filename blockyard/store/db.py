"""Opening the database: one :class:`Database` for SQLite or PostgreSQL.

``open_database(url)`` accepts the SQLAlchemy URL from settings. ``sqlite://`` and
``postgresql://`` (or ``postgres://``) URLs get the async drivers (aiosqlite, asyncpg).
SQLite runs in WAL mode with ``synchronous=NORMAL``, foreign keys on and a busy timeout,
and gets a :class:`~blockyard.store.sqlite_writer.SqliteWriter` for the engine's hot write
path. Migrations run on open unless ``migrate=False``.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry

from blockyard.errors import ConfigError, ConflictError
from blockyard.store import codec
from blockyard.store.migrations import migrate as run_migrations
from blockyard.store.sqlite_writer import SqliteWriter, apply_sqlite_pragmas

Dialect = Literal["sqlite", "postgresql"]
BUSY_TIMEOUT_MS = 10_000

_DRIVERS: dict[str, tuple[Dialect, str]] = {
    "sqlite": ("sqlite", "sqlite+aiosqlite"),
    "sqlite+aiosqlite": ("sqlite", "sqlite+aiosqlite"),
    "postgres": ("postgresql", "postgresql+asyncpg"),
    "postgresql": ("postgresql", "postgresql+asyncpg"),
    "postgresql+asyncpg": ("postgresql", "postgresql+asyncpg"),
}


@dataclass(eq=False)
class Database:
    """An open database: the async engine, a session factory and, on SQLite, the writer."""

    url: URL
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    dialect: Dialect
    sqlite_writer: SqliteWriter | None = None

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    async def close(self) -> None:
        if self.sqlite_writer is not None:
            await self.sqlite_writer.close()
        await self.engine.dispose()


def normalise_url(url: str) -> tuple[URL, Dialect]:
    """The URL with its async driver, and which dialect it is; ConfigError otherwise."""
    try:
        parsed = make_url(url)
    except Exception as exc:
        raise ConfigError(f"Cannot read the database URL: {exc}") from None
    known = _DRIVERS.get(parsed.drivername)
    if known is None:
        raise ConfigError(
            f"Unsupported database URL scheme {parsed.drivername!r}: "
            "use sqlite+aiosqlite:// or postgresql+asyncpg://"
        )
    dialect, driver = known
    return parsed.set(drivername=driver), dialect


def _sqlite_path(url: URL) -> Path:
    database = url.database or ""
    if database in ("", ":memory:") or database.startswith("file::memory:"):
        raise ConfigError("Blockyard needs an SQLite file, not an in-memory database")
    path = Path(database)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _on_sqlite_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    try:
        apply_sqlite_pragmas(cursor, BUSY_TIMEOUT_MS)
    finally:
        cursor.close()


def _create_engine(url: URL, dialect: Dialect) -> AsyncEngine:
    options: dict[str, Any] = {
        "json_serializer": codec.engine_serializer,
        "json_deserializer": codec.loads,
    }
    if dialect == "sqlite":
        # aiosqlite's own timeout is what sqlite3 turns into the busy handler.
        options["connect_args"] = {"timeout": BUSY_TIMEOUT_MS / 1000}
    engine = create_async_engine(url, **options)
    if dialect == "sqlite":
        event.listen(engine.sync_engine, "connect", _on_sqlite_connect)
    return engine


async def open_database(url: str, *, migrate: bool = True) -> Database:
    """Connect to ``url`` and, unless ``migrate`` is False, upgrade the schema to head."""
    parsed, dialect = normalise_url(url)
    writer = None
    if dialect == "sqlite":
        writer = SqliteWriter(_sqlite_path(parsed), busy_timeout_ms=BUSY_TIMEOUT_MS)
    engine = _create_engine(parsed, dialect)
    db = Database(
        url=parsed,
        engine=engine,
        sessions=async_sessionmaker(engine, expire_on_commit=False),
        dialect=dialect,
        sqlite_writer=writer,
    )
    if migrate:
        try:
            await run_migrations(db)
        except BaseException:
            await db.close()
            raise
    return db


@contextmanager
def conflict_on_integrity_error(message: str, **context: Any) -> Iterator[None]:
    """Turn a unique-constraint violation inside the block into a ConflictError."""
    try:
        yield
    except IntegrityError:
        raise ConflictError(message, **context) from None

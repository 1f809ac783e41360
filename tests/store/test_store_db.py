"""Opening databases and migrating them, on SQLite and PostgreSQL."""

import asyncio
import os
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, inspect, text

from blockyard.errors import ConfigError
from blockyard.store.db import BUSY_TIMEOUT_MS, Database, normalise_url, open_database
from blockyard.store.migrations import current_revision, head_revision, migrate
from blockyard.store.tables import metadata

EXPECTED_TABLES = {
    "users", "api_keys", "refresh_tokens", "blocks", "graphs", "nodes", "links",
    "graph_executions", "node_executions", "credit_transactions",
}  # fmt: skip

PRAGMAS = ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")


def _schema_diff(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, metadata))


async def test_migrations_create_every_table_matching_the_metadata(database_url: str) -> None:
    db = await open_database(database_url)
    try:
        async with db.engine.connect() as conn:
            tables = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
            diff = await conn.run_sync(_schema_diff)
        assert tables >= EXPECTED_TABLES
        assert diff == []
        assert await current_revision(db) == head_revision()
    finally:
        await db.close()


async def test_migrating_again_changes_nothing(db: Database) -> None:
    await migrate(db)
    await migrate(db)
    assert await current_revision(db) == head_revision()
    async with db.engine.connect() as conn:
        assert await conn.run_sync(_schema_diff) == []


async def test_processes_starting_together_migrate_once(database_url: str) -> None:
    dbs = await asyncio.gather(*(open_database(database_url) for _ in range(3)))
    try:
        for db in dbs:
            assert await current_revision(db) == head_revision()
    finally:
        for db in dbs:
            await db.close()


async def test_open_without_migrating_leaves_the_database_empty(database_url: str) -> None:
    db = await open_database(database_url, migrate=False)
    try:
        assert await current_revision(db) is None
        async with db.engine.connect() as conn:
            assert await conn.run_sync(lambda c: inspect(c).get_table_names()) == []
    finally:
        await db.close()


async def test_sqlite_settings_and_parent_folder(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "blockyard.db"
    db = await open_database(f"sqlite:///{os.fspath(path)}")
    try:
        assert path.exists() and db.dialect == "sqlite"
        assert db.url.drivername == "sqlite+aiosqlite"
        async with db.engine.connect() as conn:
            pragmas = [(await conn.execute(text(f"PRAGMA {name}"))).scalar() for name in PRAGMAS]
        assert pragmas == ["wal", 1, 1, BUSY_TIMEOUT_MS]  # synchronous 1 is NORMAL
        assert db.sqlite_writer is not None
        writer_pragmas = await db.sqlite_writer.run(
            lambda c: [c.execute(f"PRAGMA {name}").fetchone()[0] for name in PRAGMAS]
        )
        assert writer_pragmas == ["wal", 1, 1, BUSY_TIMEOUT_MS]
    finally:
        await db.close()


def test_urls_get_async_drivers() -> None:
    assert normalise_url("sqlite:///data/x.db")[0].drivername == "sqlite+aiosqlite"
    url, dialect = normalise_url("postgres://u:secret@db/blockyard")
    assert (url.drivername, dialect) == ("postgresql+asyncpg", "postgresql")
    assert "secret" not in str(url)
    assert normalise_url("postgresql+asyncpg://db/x")[1] == "postgresql"


@pytest.mark.parametrize("url", ["mysql://db/x", "sqlite:///:memory:", "sqlite://", "not a url"])
async def test_unusable_urls_are_config_errors(url: str) -> None:
    with pytest.raises(ConfigError):
        await open_database(url)


def test_the_fast_start_revision_is_alembics_head() -> None:
    """``migrate`` skips Alembic when the database is at HEAD: HEAD must be the real head."""
    from blockyard.store.migrations import HEAD

    assert head_revision() == HEAD

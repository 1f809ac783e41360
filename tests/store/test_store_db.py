"""Opening databases and migrating them, on SQLite and PostgreSQL."""

import asyncio
import os
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import (
    Column,
    Connection,
    Double,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    insert,
    inspect,
    text,
)

from blockyard.blocks.ai.port import KnowledgeChunk
from blockyard.errors import ConfigError
from blockyard.store.db import BUSY_TIMEOUT_MS, Database, normalise_url, open_database
from blockyard.store.knowledge import SqlKnowledgeStore
from blockyard.store.mcp_agents import McpAgentRepo
from blockyard.store.migrations import alembic_config, current_revision, head_revision, migrate
from blockyard.store.tables import NAMING_CONVENTION, JsonType, UserRow, metadata
from tests.store.helpers import MakeUser

EXPECTED_TABLES = {
    "users", "api_keys", "refresh_tokens", "blocks", "graphs", "nodes", "links",
    "graph_executions", "node_executions", "credit_transactions", "credentials",
    "oauth_states", "leases", "knowledge_bases", "knowledge_chunks", "mcp_exposed_agents",
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


async def test_deleting_a_user_removes_their_knowledge_and_exposed_agents(
    db: Database, make_user: MakeUser
) -> None:
    ann, bob = await make_user("ann"), await make_user("bob")
    store, agents = SqlKnowledgeStore(db), McpAgentRepo(db)
    chunk = KnowledgeChunk("doc", "otters", [1.0, 0.0], {})
    for user in (ann, bob):
        await store.add(user.id, "notes", "m", [chunk])
        await agents.expose(user.id, "g1")
        await agents.expose(user.id, "g1")  # twice is harmless
    async with db.engine.begin() as conn:
        await conn.execute(text("DELETE FROM users WHERE id = :id"), {"id": ann.id})
    assert await store.base_model(ann.id, "notes") is None
    assert await store.search(ann.id, "notes", [1.0, 0.0], 5, -1.0) == []
    assert await agents.list(ann.id) == []
    assert await store.base_model(bob.id, "notes") == "m"
    assert [h.text for h in await store.search(bob.id, "notes", [1.0, 0.0], 5, -1.0)] == ["otters"]
    assert await agents.list(bob.id) == ["g1"]


def _first_use_tables() -> MetaData:
    """The tables as the store made them on first use before revision 0003 (no keys)."""
    old = MetaData(naming_convention=NAMING_CONVENTION)
    Table(
        "knowledge_bases", old,
        Column("user_id", String, primary_key=True),
        Column("name", String, primary_key=True),
        Column("model", String, nullable=False),
        Column("dimensions", Integer, nullable=False),
        Column("created_at", Double, nullable=False),
    )  # fmt: skip
    Table(
        "knowledge_chunks", old,
        Column("id", String, primary_key=True),
        Column("user_id", String, nullable=False),
        Column("base", String, nullable=False),
        Column("document", String, nullable=False),
        Column("text", Text, nullable=False),
        Column("meta", JsonType, nullable=False),
        Column("embedding", LargeBinary, nullable=False),
        Column("created_at", Double, nullable=False),
        Index("ix_knowledge_chunks_user_id_base", "user_id", "base"),
    )  # fmt: skip
    Table(
        "mcp_exposed_agents", old,
        Column("user_id", String, primary_key=True),
        Column("graph_id", String, primary_key=True),
        Column("created_at", Double, nullable=False),
    )  # fmt: skip
    return old


async def test_0003_adopts_the_tables_the_store_made_on_first_use(database_url: str) -> None:
    """Rows of users that are gone (and chunks of no base) go; the rest stay, with keys."""
    old = _first_use_tables()
    db = await open_database(database_url, migrate=False)
    try:
        async with db.engine.begin() as conn:
            await conn.run_sync(lambda c: command.upgrade(alembic_config(c), "0002"))
            await conn.run_sync(old.create_all)
            await conn.execute(
                insert(UserRow).values(
                    id="ann", email="a@x", name="", password_hash="x", is_admin=False, created_at=0
                )
            )
            for who in ("ann", "gone"):
                base = {"user_id": who, "name": "notes", "model": "m", "dimensions": 2}
                await conn.execute(insert(old.tables["knowledge_bases"]), {**base, "created_at": 0})
                exposed = {"user_id": who, "graph_id": "g1", "created_at": 0}
                await conn.execute(insert(old.tables["mcp_exposed_agents"]), exposed)
            for who, base_name in (("ann", "notes"), ("gone", "notes"), ("ann", "no-such-base")):
                chunk = {"id": f"{who}-{base_name}", "user_id": who, "base": base_name}
                body = {"document": "d", "text": "t", "meta": {}, "embedding": bytes(8)}
                await conn.execute(
                    insert(old.tables["knowledge_chunks"]), {**chunk, **body, "created_at": 0}
                )
        await migrate(db)
        assert await current_revision(db) == head_revision()
        async with db.engine.connect() as conn:
            assert await conn.run_sync(_schema_diff) == []
            kept: dict[str, list[str]] = {
                table: list((await conn.execute(text(f"SELECT user_id FROM {table}"))).scalars())
                for table in ("knowledge_bases", "knowledge_chunks", "mcp_exposed_agents")
            }
        assert kept == {name: ["ann"] for name in kept}
        assert await SqlKnowledgeStore(db).base_model("ann", "notes") == "m"
        assert await McpAgentRepo(db).list("ann") == ["g1"]
    finally:
        await db.close()

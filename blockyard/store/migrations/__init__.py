"""Schema migrations: Alembic, run in-process on start (no ``alembic.ini`` to ship).

:func:`migrate` upgrades the database to the newest revision inside one transaction that
first takes a lock, so several processes starting at once (``serve`` and ``worker`` on
PostgreSQL) migrate exactly once and the others wait, then find nothing to do. On SQLite
the lock is ``BEGIN IMMEDIATE``; on PostgreSQL a transaction-scoped advisory lock.
"""

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

if TYPE_CHECKING:
    from alembic.config import Config

    from blockyard.store.db import Database

MIGRATIONS_DIR = Path(__file__).resolve().parent
HEAD = "0008"
"""The newest revision in versions/ (a test holds it equal to Alembic's head). A database
already there starts without importing Alembic at all, which keeps start-up fast."""
MIGRATION_LOCK_KEY = 7_262_617_165_440_001
"""Advisory lock id for PostgreSQL (any constant the application does not use elsewhere)."""


def alembic_config(connection: Connection | None = None) -> "Config":
    """An Alembic config pointing at this folder, with ``connection`` for env.py."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def _lock(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})


def _upgrade(connection: Connection) -> None:
    from alembic import command

    _lock(connection)
    command.upgrade(alembic_config(connection), "head")


def _at_head(connection: Connection) -> bool:
    try:
        found = connection.execute(text("SELECT version_num FROM alembic_version"))
        return list(found.scalars()) == [HEAD]
    except DBAPIError:  # no alembic_version table yet: a new database
        connection.rollback()
        return False


async def migrate(db: "Database") -> None:
    """Upgrade ``db`` to the newest revision (nothing happens when it is already there)."""
    async with db.engine.connect() as connection:
        if await connection.run_sync(_at_head):
            await connection.rollback()
            return
        await connection.run_sync(_upgrade)
        await connection.commit()


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


async def current_revision(db: "Database") -> str | None:
    """The revision the database is at (None before the first migration)."""

    from alembic.runtime.migration import MigrationContext

    def read(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    async with db.engine.connect() as connection:
        return await connection.run_sync(read)

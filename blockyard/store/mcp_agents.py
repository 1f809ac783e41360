"""Which agents each user exposes as tools of Blockyard's MCP server.

One row per (user, agent). Like :mod:`blockyard.store.knowledge`, the table is created by
:meth:`McpAgentRepo.ensure_schema` on first use (idempotent, serialised on PostgreSQL by
an advisory lock) rather than by an Alembic revision.
"""

import asyncio
import builtins
import time

from sqlalchemy import Column, Double, MetaData, String, Table, and_, delete, insert, select, text
from sqlalchemy.exc import IntegrityError

from blockyard.store.db import Database
from blockyard.store.tables import NAMING_CONVENTION

SCHEMA_LOCK_KEY = 7_262_617_165_440_003

metadata = MetaData(naming_convention=NAMING_CONVENTION)
exposed = Table(
    "mcp_exposed_agents",
    metadata,
    Column("user_id", String, primary_key=True),
    Column("graph_id", String, primary_key=True),
    Column("created_at", Double, nullable=False),
)


class McpAgentRepo:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._ready = False
        self._lock = asyncio.Lock()

    async def ensure_schema(self) -> None:
        async with self._lock:
            if self._ready:
                return
            async with self._db.engine.begin() as conn:
                if self._db.dialect == "postgresql":
                    await conn.execute(
                        text("SELECT pg_advisory_xact_lock(:k)"), {"k": SCHEMA_LOCK_KEY}
                    )
                await conn.run_sync(metadata.create_all)
            self._ready = True

    async def expose(self, user_id: str, graph_id: str) -> None:
        """Mark the agent exposed (doing it twice is harmless)."""
        await self.ensure_schema()
        try:
            async with self._db.engine.begin() as conn:
                row = {"user_id": user_id, "graph_id": graph_id, "created_at": time.time()}
                await conn.execute(insert(exposed).values(**row))
        except IntegrityError:
            return

    async def hide(self, user_id: str, graph_id: str) -> None:
        await self.ensure_schema()
        async with self._db.engine.begin() as conn:
            await conn.execute(
                delete(exposed).where(
                    and_(exposed.c.user_id == user_id, exposed.c.graph_id == graph_id)
                )
            )

    async def list(self, user_id: str) -> builtins.list[str]:
        """The user's exposed agents' ids, oldest first."""
        await self.ensure_schema()
        query = select(exposed.c.graph_id).where(exposed.c.user_id == user_id)
        async with self._db.engine.connect() as conn:
            rows = await conn.execute(query.order_by(exposed.c.created_at, exposed.c.graph_id))
        return [str(r.graph_id) for r in rows]

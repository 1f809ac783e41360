"""Which agents each user exposes as tools of Blockyard's MCP server.

One row per (user, agent) in ``mcp_exposed_agents`` (``tables.py``, Alembic revision
0003), removed with its user (``ON DELETE CASCADE``).
"""

import builtins
import time

from sqlalchemy import and_, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from blockyard.store.db import Database
from blockyard.store.tables import metadata

exposed = metadata.tables["mcp_exposed_agents"]


class McpAgentRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def expose(self, user_id: str, graph_id: str) -> None:
        """Mark the agent exposed (doing it twice is harmless)."""
        insert = pg_insert if self._db.dialect == "postgresql" else sqlite_insert
        row = {"user_id": user_id, "graph_id": graph_id, "created_at": time.time()}
        async with self._db.engine.begin() as conn:
            await conn.execute(insert(exposed).values(**row).on_conflict_do_nothing())

    async def hide(self, user_id: str, graph_id: str) -> None:
        async with self._db.engine.begin() as conn:
            await conn.execute(
                delete(exposed).where(
                    and_(exposed.c.user_id == user_id, exposed.c.graph_id == graph_id)
                )
            )

    async def list(self, user_id: str) -> builtins.list[str]:
        """The user's exposed agents' ids, oldest first."""
        query = select(exposed.c.graph_id).where(exposed.c.user_id == user_id)
        async with self._db.engine.connect() as conn:
            rows = await conn.execute(query.order_by(exposed.c.created_at, exposed.c.graph_id))
        return [str(r.graph_id) for r in rows]

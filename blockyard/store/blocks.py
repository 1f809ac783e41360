"""The ``blocks`` table: a mirror of the block registry, refreshed on every start.

It lets SQL (and operators) see which blocks a database's graphs refer to. Rows of blocks
that are no longer installed are kept: saved graphs may still name them.
"""

import time
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Insert, Table
from sqlalchemy.dialects import postgresql, sqlite

from blockyard.blocks.base import Block
from blockyard.store import codec
from blockyard.store.db import Database
from blockyard.store.tables import metadata

_UPDATED = ("name", "input_schema", "output_schema", "updated_at")


def _upsert(table: Table, dialect: str) -> Insert:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(table)
    return stmt.on_conflict_do_update(
        index_elements=[table.c.id], set_={name: stmt.excluded[name] for name in _UPDATED}
    )


def _row(block: Block, now: float) -> dict[str, Any]:
    return {
        "id": block.id,
        "name": block.name(),
        "input_schema": codec.dumps(block.Input.jsonschema()),
        "output_schema": codec.dumps(block.Output.jsonschema()),
        "updated_at": now,
    }


class BlockRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def sync(self, registry: Iterable[Block]) -> int:
        """Upsert every block's id, name and schemas in one transaction; how many."""
        now = time.time()
        rows = [_row(block, now) for block in registry]
        if not rows:
            return 0
        async with self._db.engine.begin() as conn:
            await conn.execute(_upsert(metadata.tables["blocks"], self._db.dialect), rows)
        return len(rows)

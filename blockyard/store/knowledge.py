"""Knowledge bases in the database: the ``KnowledgeStore`` port of the AI blocks.

Two tables, ``knowledge_bases`` (one row per user and base: the embedding model and vector
size) and ``knowledge_chunks`` (text, metadata and the vector as packed float32). Search is
exact: every chunk of the base is scored by cosine similarity, which is right and fast
enough for the few thousand chunks of a personal knowledge base. On PostgreSQL with the
``pgvector`` extension available, chunks also get a ``vector`` column and the database
ranks them (``<=>``, cosine distance); without it, PostgreSQL uses the same exact search.

The tables are part of the schema (``tables.py``, Alembic revision 0003), with foreign keys
to ``users`` and from chunks to their base, both ``ON DELETE CASCADE``. The ``vector``
column is the one run-time addition, because it needs the extension: on PostgreSQL,
:meth:`SqlKnowledgeStore.ensure_schema` (called before first use) tries ``CREATE EXTENSION
IF NOT EXISTS vector`` and ``ADD COLUMN IF NOT EXISTS embedding_vector vector``, then fills
the column for chunks stored without it. Every step is idempotent and serialised across
processes by an advisory lock; if the extension cannot be had, nothing changes and search
stays exact. No migration depends on the extension.
"""

import array
import asyncio
import heapq
import math
import time
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, insert, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from blockyard.blocks.ai.port import KnowledgeChunk, KnowledgeHit, check_same_model
from blockyard.errors import BlockExecutionError
from blockyard.store.db import Database
from blockyard.store.tables import metadata

SCHEMA_LOCK_KEY = 7_262_617_165_440_002
"""PostgreSQL advisory lock id for adding the pgvector column."""
EXACT_IN_THREAD = 2_000
"""Above this many chunks the exact scoring runs in a thread, off the event loop."""

_ADD_VECTOR_COLUMN = "ALTER TABLE knowledge_chunks ADD COLUMN IF NOT EXISTS embedding_vector vector"
bases = metadata.tables["knowledge_bases"]
chunks = metadata.tables["knowledge_chunks"]


class SqlKnowledgeStore:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._ready = False
        self._lock = asyncio.Lock()
        self.uses_pgvector = False

    async def ensure_schema(self) -> None:
        """On PostgreSQL, add the pgvector column when the extension can be had (once per
        store; the tables themselves come from the migrations)."""
        async with self._lock:
            if self._ready:
                return
            if self._db.dialect == "postgresql":
                self.uses_pgvector = await self._try_pgvector()
            self._ready = True

    async def _try_pgvector(self) -> bool:
        try:
            async with self._db.engine.begin() as conn:
                await conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": SCHEMA_LOCK_KEY})
                await conn.execute(text("CREATE EXTENSION IF NOT EXISTS vector"))
                await conn.execute(text(_ADD_VECTOR_COLUMN))
                await self._backfill(conn)
        except DBAPIError:
            return False  # not installed, or not allowed: exact search it is
        return True

    async def _backfill(self, conn: AsyncConnection) -> None:
        """Chunks stored before the extension came get their vector column filled."""
        missing = text("SELECT id, embedding FROM knowledge_chunks WHERE embedding_vector IS NULL")
        rows = [{"id": r.id, "embedding": r.embedding} for r in await conn.execute(missing)]
        if rows:
            await self._copy_vectors(conn, rows)

    # -- the port ----------------------------------------------------------------------------
    async def base_model(self, user_id: str, base: str) -> str | None:
        await self.ensure_schema()
        async with self._db.engine.connect() as conn:
            row = (await conn.execute(_base_query(user_id, base))).first()
        return None if row is None else str(row.model)

    async def add(
        self, user_id: str, base: str, model: str, items: Sequence[KnowledgeChunk]
    ) -> int:
        await self.ensure_schema()
        if not items:
            return 0
        size = len(items[0].vector)
        if any(len(c.vector) != size for c in items):
            raise BlockExecutionError("The chunks' vectors are not all of one size")
        async with self._db.engine.begin() as conn:
            await self._claim_base(conn, user_id, base, model, size)
            rows = [_chunk_row(user_id, base, c) for c in items]
            await conn.execute(insert(chunks), rows)
            if self.uses_pgvector:
                await self._copy_vectors(conn, rows)
        return len(items)

    async def search(
        self, user_id: str, base: str, vector: Sequence[float], top_k: int, min_score: float
    ) -> list[KnowledgeHit]:
        await self.ensure_schema()
        if self.uses_pgvector:
            return await self._search_pgvector(user_id, base, vector, top_k, min_score)
        return await self._search_exact(user_id, base, vector, top_k, min_score)

    # -- helpers -----------------------------------------------------------------------------
    async def _claim_base(
        self, conn: AsyncConnection, user_id: str, base: str, model: str, size: int
    ) -> None:
        """Make the base (first add) or check the chunks fit it (model and vector size)."""
        row = (await conn.execute(_base_query(user_id, base).with_for_update())).first()
        if row is None:
            values = {"user_id": user_id, "name": base, "model": model, "dimensions": size}
            await conn.execute(insert(bases).values(**values, created_at=time.time()))
            return
        check_same_model(base, str(row.model), model)
        if row.dimensions != size:
            raise BlockExecutionError(
                f"Knowledge base {base!r} holds vectors of size {row.dimensions}, not {size}"
            )

    async def _copy_vectors(self, conn: AsyncConnection, rows: list[dict[str, Any]]) -> None:
        statement = text(
            "UPDATE knowledge_chunks SET embedding_vector = CAST(:v AS vector) WHERE id = :id"
        )
        params = [{"id": r["id"], "v": _vector_literal(_unpack(r["embedding"]))} for r in rows]
        await conn.execute(statement, params)

    async def _search_exact(
        self, user_id: str, base: str, vector: Sequence[float], top_k: int, min_score: float
    ) -> list[KnowledgeHit]:
        query = select(chunks.c.document, chunks.c.text, chunks.c.meta, chunks.c.embedding).where(
            and_(chunks.c.user_id == user_id, chunks.c.base == base)
        )
        async with self._db.engine.connect() as conn:
            rows = [tuple(r) for r in await conn.execute(query)]
        if len(rows) > EXACT_IN_THREAD:
            return await asyncio.to_thread(_rank, rows, list(vector), top_k, min_score)
        return _rank(rows, list(vector), top_k, min_score)

    async def _search_pgvector(
        self, user_id: str, base: str, vector: Sequence[float], top_k: int, min_score: float
    ) -> list[KnowledgeHit]:
        statement = text(
            "SELECT document, text, meta, 1 - (embedding_vector <=> CAST(:v AS vector)) AS score "
            "FROM knowledge_chunks WHERE user_id = :u AND base = :b "
            "ORDER BY embedding_vector <=> CAST(:v AS vector) LIMIT :k"
        )
        params = {"v": _vector_literal(vector), "u": user_id, "b": base, "k": top_k}
        async with self._db.engine.connect() as conn:
            rows = list(await conn.execute(statement, params))
        return [
            KnowledgeHit(r.document, r.text, float(r.score), dict(r.meta or {}))
            for r in rows
            if r.score is not None and float(r.score) >= min_score
        ]


def _base_query(user_id: str, base: str) -> Any:
    return select(bases.c.model, bases.c.dimensions).where(
        and_(bases.c.user_id == user_id, bases.c.name == base)
    )


def _chunk_row(user_id: str, base: str, chunk: KnowledgeChunk) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "user_id": user_id,
        "base": base,
        "document": chunk.document,
        "text": chunk.text,
        "meta": chunk.metadata,
        "embedding": array.array("f", chunk.vector).tobytes(),
        "created_at": time.time(),
    }


def _unpack(data: bytes) -> list[float]:
    values = array.array("f")
    values.frombytes(data)
    return values.tolist()


def _vector_literal(vector: Sequence[float]) -> str:
    return "[" + ",".join(repr(float(x)) for x in vector) + "]"


def _rank(
    rows: list[tuple[Any, ...]], vector: list[float], top_k: int, min_score: float
) -> list[KnowledgeHit]:
    """Score every row by cosine similarity; the best ``top_k`` above ``min_score``."""
    norm = math.sqrt(sum(x * x for x in vector)) or 1.0
    scored = []
    for document, body, meta, packed in rows:
        other = _unpack(packed)
        if len(other) != len(vector):
            raise BlockExecutionError(
                f"The query vector has {len(vector)} numbers, the base's {len(other)}"
            )
        other_norm = math.sqrt(sum(x * x for x in other)) or 1.0
        score = sum(a * b for a, b in zip(vector, other, strict=True)) / (norm * other_norm)
        if score >= min_score:
            scored.append((score, document, body, meta))
    best = heapq.nlargest(top_k, scored, key=lambda item: item[0])
    return [KnowledgeHit(d, b, s, dict(m or {})) for s, d, b, m in best]

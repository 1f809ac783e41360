"""API keys: a public prefix to find the key by, and a hash of the whole key.

The key itself is never stored. Revoking keeps the row (it shows in the owner's list with
``revoked_at``) but :meth:`ApiKeyRepo.by_prefix` no longer finds it.
"""

import builtins
import time
import uuid
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from blockyard.errors import NotFoundError
from blockyard.store.db import Database, conflict_on_integrity_error
from blockyard.store.tables import ApiKeyRow

ACTIVE, REVOKED = "ACTIVE", "REVOKED"


@dataclass(frozen=True, slots=True)
class ApiKey:
    id: str
    user_id: str
    name: str
    prefix: str
    scopes: tuple[str, ...]
    status: str
    created_at: float
    last_used_at: float | None
    revoked_at: float | None


def _api_key(row: ApiKeyRow) -> ApiKey:
    return ApiKey(
        id=row.id,
        user_id=row.user_id,
        name=row.name,
        prefix=row.prefix,
        scopes=tuple(str(scope) for scope in row.scopes),
        status=row.status,
        created_at=row.created_at,
        last_used_at=row.last_used_at,
        revoked_at=row.revoked_at,
    )


class ApiKeyRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def create(
        self, user_id: str, name: str, prefix: str, key_hash: str, scopes: builtins.list[str]
    ) -> ApiKey:
        """Store a new key; ConflictError if the prefix is already used."""
        row = ApiKeyRow(
            id=str(uuid.uuid4()),
            user_id=user_id,
            name=name,
            prefix=prefix,
            key_hash=key_hash,
            scopes=list(scopes),
            status=ACTIVE,
            created_at=time.time(),
            last_used_at=None,
            revoked_at=None,
        )
        with conflict_on_integrity_error("That API key prefix is already in use", prefix=prefix):
            async with self._db.sessions.begin() as session:
                session.add(row)
        return _api_key(row)

    async def list(self, user_id: str) -> builtins.list[ApiKey]:
        """Every key of the user, revoked ones included, newest first."""
        query = (
            select(ApiKeyRow)
            .where(ApiKeyRow.user_id == user_id)
            .order_by(ApiKeyRow.created_at.desc(), ApiKeyRow.id)
        )
        async with self._db.sessions() as session:
            return [_api_key(row) for row in await session.scalars(query)]

    async def get(self, user_id: str, key_id: str) -> ApiKey:
        async with self._db.sessions() as session:
            return _api_key(await self._owned(session, user_id, key_id))

    async def revoke(self, user_id: str, key_id: str) -> ApiKey:
        """Revoke the key (revoking twice keeps the first time); NotFoundError if not yours."""
        async with self._db.sessions.begin() as session:
            row = await self._owned(session, user_id, key_id)
            if row.revoked_at is None:
                row.status, row.revoked_at = REVOKED, time.time()
            return _api_key(row)

    async def by_prefix(self, prefix: str) -> tuple[ApiKey, str] | None:
        """The active key with this prefix and its hash, for authenticating a request."""
        query = select(ApiKeyRow).where(ApiKeyRow.prefix == prefix, ApiKeyRow.status == ACTIVE)
        async with self._db.sessions() as session:
            row = await session.scalar(query)
        return (_api_key(row), row.key_hash) if row is not None else None

    async def touch(self, key_id: str) -> None:
        """Record that the key was just used."""
        query = update(ApiKeyRow).where(ApiKeyRow.id == key_id).values(last_used_at=time.time())
        async with self._db.engine.begin() as conn:
            await conn.execute(query)

    @staticmethod
    async def _owned(session: AsyncSession, user_id: str, key_id: str) -> ApiKeyRow:
        row = await session.get(ApiKeyRow, key_id)
        if row is None or row.user_id != user_id:
            raise NotFoundError(f"API key {key_id} not found", api_key_id=key_id)
        return row

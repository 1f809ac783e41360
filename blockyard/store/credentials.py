"""Saved credentials, one row each, the secret part sealed (encrypted) by the caller.

The repository never sees a plaintext secret: ``integrations.credentials`` seals it with
AES-GCM before :meth:`CredentialRepo.create` and opens it after reading. Reads that serve
a user take ``user_id``; another user's credential is NotFoundError, like a missing one.
"""

import builtins
import time
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import delete, func, select, update

from blockyard.errors import NotFoundError
from blockyard.store.db import Database
from blockyard.store.tables import CredentialRow

ACTIVE, BROKEN = "active", "broken"


@dataclass(frozen=True, slots=True)
class Sealed:
    """An encrypted secret: which key sealed it, the nonce and the ciphertext (base64)."""

    key_id: str
    nonce: str
    secret: str


@dataclass(frozen=True, slots=True)
class StoredCredential:
    id: str
    user_id: str
    provider: str
    type: str
    title: str
    sealed: Sealed
    meta: dict[str, Any] = field(default_factory=dict)
    scopes: tuple[str, ...] = ()
    expires_at: float | None = None
    status: str = ACTIVE
    status_reason: str | None = None
    created_at: float = 0.0
    updated_at: float = 0.0


def _stored(row: CredentialRow) -> StoredCredential:
    return StoredCredential(
        id=row.id,
        user_id=row.user_id,
        provider=row.provider,
        type=row.type,
        title=row.title,
        sealed=Sealed(row.key_id, row.nonce, row.secret),
        meta=dict(row.meta or {}),
        scopes=tuple(str(s) for s in row.scopes or ()),
        expires_at=row.expires_at,
        status=row.status,
        status_reason=row.status_reason,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _row(cred: StoredCredential) -> CredentialRow:
    return CredentialRow(
        id=cred.id,
        user_id=cred.user_id,
        provider=cred.provider,
        type=cred.type,
        title=cred.title,
        key_id=cred.sealed.key_id,
        nonce=cred.sealed.nonce,
        secret=cred.sealed.secret,
        meta=dict(cred.meta),
        scopes=list(cred.scopes),
        expires_at=cred.expires_at,
        status=cred.status,
        status_reason=cred.status_reason,
        created_at=cred.created_at,
        updated_at=cred.updated_at,
    )


class CredentialRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def create(self, cred: StoredCredential) -> StoredCredential:
        now = time.time()
        cred = replace(cred, created_at=now, updated_at=now)
        async with self._db.sessions.begin() as session:
            session.add(_row(cred))
        return cred

    async def list(
        self, user_id: str, provider: str | None = None
    ) -> builtins.list[StoredCredential]:
        """The user's credentials (of one provider when given), oldest first."""
        query = select(CredentialRow).where(CredentialRow.user_id == user_id)
        if provider is not None:
            query = query.where(CredentialRow.provider == provider)
        query = query.order_by(CredentialRow.created_at, CredentialRow.id)
        async with self._db.sessions() as session:
            return [_stored(row) for row in await session.scalars(query)]

    async def get(self, user_id: str, credential_id: str) -> StoredCredential:
        """The user's credential; NotFoundError when absent or another user's."""
        found = await self.find(credential_id)
        if found is None or found.user_id != user_id:
            raise NotFoundError(
                f"Credentials {credential_id} not found", credential_id=credential_id
            )
        return found

    async def find(self, credential_id: str) -> StoredCredential | None:
        """Any user's credential by id (for the refresh and rotation paths only)."""
        async with self._db.sessions() as session:
            row = await session.get(CredentialRow, credential_id)
        return _stored(row) if row is not None else None

    async def delete(self, user_id: str, credential_id: str) -> StoredCredential:
        cred = await self.get(user_id, credential_id)
        query = delete(CredentialRow).where(
            CredentialRow.id == credential_id, CredentialRow.user_id == user_id
        )
        async with self._db.engine.begin() as conn:
            await conn.execute(query)
        return cred

    async def reseal(
        self,
        credential_id: str,
        previous: Sealed,
        sealed: Sealed,
        **changes: Any,
    ) -> bool:
        """Replace the secret if it is still ``previous`` (compare and set); False if not.

        ``changes`` may set ``expires_at``, ``scopes``, ``meta``, ``status`` and
        ``status_reason`` in the same write (a refresh stores its new expiry with its token).
        """
        values: dict[str, Any] = {
            "key_id": sealed.key_id,
            "nonce": sealed.nonce,
            "secret": sealed.secret,
            "updated_at": time.time(),
        }
        for name, value in changes.items():
            values[name] = list(value) if name == "scopes" else value
        query = (
            update(CredentialRow)
            .where(CredentialRow.id == credential_id, CredentialRow.nonce == previous.nonce)
            .values(**values)
        )
        async with self._db.engine.begin() as conn:
            result = await conn.execute(query)
        return int(result.rowcount) == 1

    async def set_status(self, credential_id: str, status: str, reason: str | None) -> None:
        query = (
            update(CredentialRow)
            .where(CredentialRow.id == credential_id)
            .values(status=status, status_reason=reason, updated_at=time.time())
        )
        async with self._db.engine.begin() as conn:
            await conn.execute(query)

    async def sealed_with_other_keys(
        self, key_id: str, limit: int = 200
    ) -> builtins.list[StoredCredential]:
        """Up to ``limit`` credentials not sealed with ``key_id`` (for key rotation)."""
        query = (
            select(CredentialRow)
            .where(CredentialRow.key_id != key_id)
            .order_by(CredentialRow.id)
            .limit(limit)
        )
        async with self._db.sessions() as session:
            return [_stored(row) for row in await session.scalars(query)]

    async def count_by_key(self) -> dict[str, int]:
        query = select(CredentialRow.key_id, func.count()).group_by(CredentialRow.key_id)
        async with self._db.engine.connect() as conn:
            return {str(key): int(count) for key, count in await conn.execute(query)}

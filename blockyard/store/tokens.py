"""Refresh tokens by their ``jti``: issued, rotated (revoked on use), revoked at logout.

Only the id is stored, never the token. Rotation relies on :meth:`RefreshTokenRepo.revoke`
being atomic: of two requests racing with the same token, exactly one gets True.
"""

import time

from sqlalchemy import Update, update

from blockyard.store.db import Database, conflict_on_integrity_error
from blockyard.store.tables import RefreshTokenRow


class RefreshTokenRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(self, jti: str, user_id: str, expires_at: float) -> None:
        row = RefreshTokenRow(jti=jti, user_id=user_id, expires_at=expires_at, revoked_at=None)
        with conflict_on_integrity_error("Refresh token already recorded", jti=jti):
            async with self._db.sessions.begin() as session:
                session.add(row)

    async def is_active(self, jti: str) -> bool:
        """Known, not revoked and not expired."""
        async with self._db.sessions() as session:
            row = await session.get(RefreshTokenRow, jti)
        return row is not None and row.revoked_at is None and row.expires_at > time.time()

    async def revoke(self, jti: str) -> bool:
        """Revoke an active token; False when it was unknown, revoked or expired already."""
        now = time.time()
        query = (
            update(RefreshTokenRow)
            .where(
                RefreshTokenRow.jti == jti,
                RefreshTokenRow.revoked_at.is_(None),
                RefreshTokenRow.expires_at > now,
            )
            .values(revoked_at=now)
        )
        return await self._update(query) == 1

    async def revoke_all(self, user_id: str) -> int:
        """Revoke every live token of the user (sign out everywhere); how many were."""
        query = (
            update(RefreshTokenRow)
            .where(RefreshTokenRow.user_id == user_id, RefreshTokenRow.revoked_at.is_(None))
            .values(revoked_at=time.time())
        )
        return await self._update(query)

    async def _update(self, query: Update) -> int:
        async with self._db.engine.begin() as conn:
            result = await conn.execute(query)
        return int(result.rowcount)

"""Named leases: a lock every process sees, through the database both already share.

``acquire`` inserts the lease, or takes it over once it has expired (a holder that
crashed cannot keep it); ``release`` drops it only for its holder. Both are single
statements, atomic on SQLite and PostgreSQL alike, so of two processes racing for one
lease exactly one wins.
"""

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import delete, insert, update
from sqlalchemy.exc import IntegrityError

from blockyard.errors import ConflictError
from blockyard.store.db import Database
from blockyard.store.tables import LeaseRow


class LeaseRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def acquire(self, name: str, holder: str, ttl: float) -> bool:
        """Take the lease for ``ttl`` seconds; False while someone else holds it."""
        now = time.time()
        try:
            async with self._db.engine.begin() as conn:
                await conn.execute(
                    insert(LeaseRow).values(name=name, holder=holder, expires_at=now + ttl)
                )
            return True
        except IntegrityError:
            pass
        takeover = (
            update(LeaseRow)
            .where(LeaseRow.name == name, LeaseRow.expires_at < now)
            .values(holder=holder, expires_at=now + ttl)
        )
        async with self._db.engine.begin() as conn:
            result = await conn.execute(takeover)
        return int(result.rowcount) == 1

    async def release(self, name: str, holder: str) -> None:
        query = delete(LeaseRow).where(LeaseRow.name == name, LeaseRow.holder == holder)
        async with self._db.engine.begin() as conn:
            await conn.execute(query)

    @asynccontextmanager
    async def hold(
        self, name: str, *, ttl: float = 30.0, wait: float = 30.0, poll: float = 0.05
    ) -> AsyncIterator[None]:
        """Hold the lease for the block, waiting up to ``wait`` seconds for it.

        Raises ConflictError when it stays taken (its holder is slow or stuck).
        """
        holder = uuid.uuid4().hex
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        while not await self.acquire(name, holder, ttl):
            if loop.time() >= deadline:
                raise ConflictError(f"{name} is busy; try again shortly", lease=name)
            await asyncio.sleep(poll)
        try:
            yield
        finally:
            await self.release(name, holder)

"""Schedules in the database: the API's owner-scoped reads and writes, and the scheduler's
port (:class:`~blockyard.engine.schedules.ScheduleStore`).

One row per schedule in ``schedules`` (``tables.py``), removed with its user. The scheduler
moves ``next_run_at`` on by compare-and-set (``UPDATE ... WHERE next_run_at = :due``), so
with several processes exactly one advances each fire.
"""

import builtins
import time
import uuid
from typing import Any

from sqlalchemy import Row, delete, func, select, update

from blockyard.engine.schedules import Schedule
from blockyard.errors import NotFoundError
from blockyard.store.db import Database
from blockyard.store.tables import metadata

schedules = metadata.tables["schedules"]
COLUMNS = (
    "id", "user_id", "graph_id", "graph_version", "name", "cron", "timezone", "inputs",
    "enabled", "next_run_at", "last_run_at", "last_exec_id", "last_error", "created_at",
    "updated_at",
)  # fmt: skip
EDITABLE = frozenset({"name", "cron", "timezone", "inputs", "graph_version", "enabled"})


def _schedule(row: Row[Any]) -> Schedule:
    values = dict(zip(COLUMNS, row, strict=True))
    values["enabled"] = bool(values["enabled"])
    return Schedule(**values)


def _not_found(schedule_id: str) -> NotFoundError:
    return NotFoundError(f"Schedule {schedule_id} not found", schedule_id=schedule_id)


class ScheduleRepo:
    def __init__(self, db: Database) -> None:
        self._engine = db.engine
        self._select = select(*[schedules.c[name] for name in COLUMNS])

    # -- the API's side: one user's schedules ---------------------------------------------
    async def create(self, schedule: Schedule) -> Schedule:
        now = time.time()
        schedule.id = schedule.id or str(uuid.uuid4())
        schedule.created_at = schedule.updated_at = now
        values = {name: getattr(schedule, name) for name in COLUMNS}
        async with self._engine.begin() as conn:
            await conn.execute(schedules.insert().values(**values))
        return schedule

    async def get(self, user_id: str, schedule_id: str) -> Schedule:
        query = self._select.where(schedules.c.id == schedule_id, schedules.c.user_id == user_id)
        async with self._engine.connect() as conn:
            row = (await conn.execute(query)).first()
        if row is None:
            raise _not_found(schedule_id)
        return _schedule(row)

    async def list(
        self, user_id: str, graph_id: str | None = None, limit: int = 100, offset: int = 0
    ) -> builtins.list[Schedule]:
        """The user's schedules (of one agent when ``graph_id`` is given), newest first."""
        query = self._select.where(schedules.c.user_id == user_id)
        if graph_id is not None:
            query = query.where(schedules.c.graph_id == graph_id)
        query = query.order_by(schedules.c.created_at.desc(), schedules.c.id)
        async with self._engine.connect() as conn:
            rows = await conn.execute(query.limit(limit).offset(offset))
        return [_schedule(row) for row in rows]

    async def update(self, user_id: str, schedule_id: str, **changes: Any) -> Schedule:
        """Change the editable fields given (and ``next_run_at``, computed by the caller)."""
        unknown = set(changes) - EDITABLE - {"next_run_at"}
        if unknown:
            raise ValueError(f"not editable: {sorted(unknown)}")
        statement = (
            update(schedules)
            .where(schedules.c.id == schedule_id, schedules.c.user_id == user_id)
            .values(**changes, updated_at=time.time())
        )
        async with self._engine.begin() as conn:
            if (await conn.execute(statement)).rowcount == 0:
                raise _not_found(schedule_id)
        return await self.get(user_id, schedule_id)

    async def delete(self, user_id: str, schedule_id: str) -> None:
        statement = delete(schedules).where(
            schedules.c.id == schedule_id, schedules.c.user_id == user_id
        )
        async with self._engine.begin() as conn:
            if (await conn.execute(statement)).rowcount == 0:
                raise _not_found(schedule_id)

    async def count(self, user_id: str) -> int:
        query = select(func.count()).where(schedules.c.user_id == user_id)
        async with self._engine.connect() as conn:
            return int((await conn.execute(query)).scalar_one())

    # -- the scheduler's side: every user's due schedules ---------------------------------
    async def due(self, now: float, limit: int) -> builtins.list[Schedule]:
        query = (
            self._select.where(schedules.c.enabled.is_(True), schedules.c.next_run_at <= now)
            .order_by(schedules.c.next_run_at, schedules.c.id)
            .limit(limit)
        )
        async with self._engine.connect() as conn:
            return [_schedule(row) for row in await conn.execute(query)]

    async def next_due_at(self) -> float | None:
        query = select(func.min(schedules.c.next_run_at)).where(schedules.c.enabled.is_(True))
        async with self._engine.connect() as conn:
            value = (await conn.execute(query)).scalar_one()
        return float(value) if value is not None else None

    async def advance(self, schedule_id: str, due: float, next_run_at: float) -> bool:
        statement = (
            update(schedules)
            .where(schedules.c.id == schedule_id, schedules.c.next_run_at == due)
            .values(next_run_at=next_run_at)
        )
        async with self._engine.begin() as conn:
            return (await conn.execute(statement)).rowcount == 1

    async def record_fire(
        self,
        schedule_id: str,
        *,
        at: float,
        exec_id: str | None,
        error: str | None,
        disable: bool = False,
    ) -> None:
        values: dict[str, Any] = {"last_run_at": at, "last_error": error, "last_exec_id": exec_id}
        if disable:
            values.update(enabled=False, next_run_at=None)
        statement = update(schedules).where(schedules.c.id == schedule_id).values(**values)
        async with self._engine.begin() as conn:
            await conn.execute(statement)
